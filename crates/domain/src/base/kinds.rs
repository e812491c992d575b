//! The closed vocabularies of base data, each with its Chinese and English labels; files may use
//! either label or the wire name.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::case::kinds::vocabulary;

vocabulary!(
    /// 实有人口: registered at this address, or living here from elsewhere.
    ResidentKind, "kind", {
        /// 户籍人口
        Registered = "registered", "户籍", "Registered";
        /// 流动人口
        Floating = "floating", "流动", "Floating";
    }
);

vocabulary!(
    /// What a house is used for.
    HouseUse, "use", {
        /// 住宅
        Residential = "residential", "住宅", "Residential";
        /// 商铺
        Shop = "shop", "商铺", "Shop";
        /// 办公
        Office = "office", "办公", "Office";
        /// 厂房
        Factory = "factory", "厂房", "Factory";
        /// 其他
        Other = "other", "其他", "Other";
    }
);

vocabulary!(
    /// Who lives in a house.
    Tenancy, "tenancy", {
        /// 自住
        OwnerOccupied = "owner_occupied", "自住", "Owner-occupied";
        /// 出租
        Rented = "rented", "出租", "Rented";
        /// 空置
        Vacant = "vacant", "空置", "Vacant";
        /// 其他
        Other = "other", "其他", "Other";
    }
);

vocabulary!(
    /// Whether a camera works.
    CameraStatus, "status", {
        /// 在线
        Online = "online", "在线", "Online";
        /// 离线
        Offline = "offline", "离线", "Offline";
        /// 故障
        Fault = "fault", "故障", "Fault";
    }
);
