//! The closed vocabularies of disputes, each with Chinese and English labels.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::area::{AreaCode, AreaLevel};
use crate::case::kinds::vocabulary;

vocabulary!(
    /// What the dispute is about.
    DisputeType, "dispute_type", {
        /// 婚姻家庭
        Family = "family", "婚姻家庭", "Family";
        /// 邻里
        Neighbours = "neighbours", "邻里纠纷", "Neighbours";
        /// 土地宅基地
        Land = "land", "土地、宅基地", "Land and homestead";
        /// 合同
        Contract = "contract", "合同纠纷", "Contract";
        /// 劳动争议
        Labour = "labour", "劳动争议", "Labour";
        /// 物业
        Property = "property", "物业纠纷", "Property management";
        /// 医疗
        Medical = "medical", "医疗纠纷", "Medical";
        /// 损害赔偿
        Compensation = "compensation", "损害赔偿", "Compensation";
        /// 征地拆迁
        Demolition = "demolition", "征地拆迁", "Land requisition and demolition";
        /// 其他
        Other = "other", "其他", "Other";
    }
);

vocabulary!(
    /// Risk of the dispute turning into harm or a mass incident.
    RiskLevel, "risk", {
        /// 蓝色（一般）
        Blue = "blue", "蓝色", "Blue";
        /// 黄色（较大）
        Yellow = "yellow", "黄色", "Yellow";
        /// 红色（重大）
        Red = "red", "红色", "Red";
    }
);

vocabulary!(
    /// How the dispute came to the platform.
    Source, "source", {
        /// 排查发现
        Screening = "screening", "排查发现", "Screening";
        /// 当事人申请
        Application = "application", "当事人申请", "A party's application";
        /// 诉求转入
        Case = "case", "诉求转为纠纷", "A case turned dispute";
        /// 法院诉前委派
        CourtReferral = "court_referral", "法院诉前委派", "Court pre-litigation referral";
    }
);

vocabulary!(
    /// The kind of mediation.
    MediationKind, "mediation_kind", {
        /// 人民调解
        Peoples = "peoples", "人民调解", "People's mediation";
        /// 行政调解
        Administrative = "administrative", "行政调解", "Administrative mediation";
        /// 司法调解
        Judicial = "judicial", "司法调解", "Judicial mediation";
        /// 行业性调解
        Industry = "industry", "行业性调解", "Industry mediation";
        /// 专业性调解
        Professional = "professional", "专业性调解", "Professional mediation";
    }
);

vocabulary!(
    /// How a session was held.
    SessionMethod, "method", {
        /// 当面调解
        InPerson = "in_person", "当面调解", "In person";
        /// 背对背
        Separate = "separate", "背对背调解", "Parties apart";
        /// 电话
        Phone = "phone", "电话调解", "By phone";
        /// 视频
        Video = "video", "视频调解", "By video";
        /// 联合调解
        Joint = "joint", "联合调解", "Joint mediation";
    }
);

vocabulary!(
    /// What a session came to.
    SessionOutcome, "session_outcome", {
        /// 达成协议
        Agreement = "agreement", "达成协议", "Agreement";
        /// 继续调解
        Continue = "continue", "继续调解", "To be continued";
        /// 调解不成
        Failed = "failed", "调解不成", "Failed";
    }
);

vocabulary!(
    /// Where a dispute that mediation cannot settle goes.
    Referral, "referral", {
        /// 诉讼
        Litigation = "litigation", "引导诉讼", "Litigation";
        /// 仲裁
        Arbitration = "arbitration", "引导仲裁", "Arbitration";
        /// 行政机关
        Administrative = "administrative", "移交行政机关", "An administrative body";
    }
);

vocabulary!(
    /// Whether an agreement was carried out, as found at a follow-up visit.
    FollowUpResult, "follow_up", {
        /// 已履行
        Performed = "performed", "已履行", "Performed";
        /// 部分履行
        Partial = "partial", "部分履行", "Partly performed";
        /// 未履行
        NotPerformed = "not_performed", "未履行", "Not performed";
    }
);

vocabulary!(
    /// The mediation tiers.
    Tier, "tier", {
        /// 村（社区）
        Village = "village", "村（社区）", "Village or community";
        /// 乡镇（街道）
        Township = "township", "乡镇（街道）", "Township or street";
        /// 县（区）联调中心
        County = "county", "县（区）联调中心", "County joint mediation centre";
    }
);

impl Tier {
    /// The next tier up, if any.
    pub fn up(self) -> Option<Tier> {
        match self {
            Tier::Village => Some(Tier::Township),
            Tier::Township => Some(Tier::County),
            Tier::County => None,
        }
    }

    /// The tier that serves an area of this level: grids and villages mediate at the village,
    /// streets at the township, districts (and the city) at the county centre.
    pub fn of_area(area: &AreaCode) -> Tier {
        match area.level() {
            AreaLevel::City | AreaLevel::District => Tier::County,
            AreaLevel::Street => Tier::Township,
            AreaLevel::Community | AreaLevel::Grid | AreaLevel::MicroGrid => Tier::Village,
        }
    }

    /// The area whose organisations mediate at this tier for a dispute located at `area`.
    pub fn area_for(self, area: &AreaCode) -> Option<AreaCode> {
        let level = match self {
            Tier::Village => AreaLevel::Community,
            Tier::Township => AreaLevel::Street,
            Tier::County => AreaLevel::District,
        };
        area.ancestor_at(level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_follow_the_area_tree() {
        let grid = AreaCode::parse("439901001001001").expect("grid");
        assert_eq!(Tier::of_area(&grid), Tier::Village);
        assert_eq!(Tier::of_area(&AreaCode::parse("439901001000").expect("street")), Tier::Township);
        assert_eq!(Tier::of_area(&AreaCode::parse("439901000000").expect("district")), Tier::County);
        assert_eq!(Tier::Village.area_for(&grid).map(|a| a.to_string()).as_deref(), Some("439901001001"));
        assert_eq!(Tier::Township.area_for(&grid).map(|a| a.to_string()).as_deref(), Some("439901001000"));
        assert_eq!(Tier::County.area_for(&grid).map(|a| a.to_string()).as_deref(), Some("439901000000"));
        assert_eq!(Tier::Village.up(), Some(Tier::Township));
        assert_eq!(Tier::County.up(), None);
        assert_eq!(RiskLevel::parse_any("红色"), Ok(RiskLevel::Red));
    }
}
