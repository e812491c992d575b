//! The strings of the volunteer and points pages, in Chinese and English side by side, built the
//! same way as [`super::text`]: one struct, two instances, so a missing translation does not
//! compile. Kept apart from the shared strings so this part of the product reads as one piece.

use crate::i18n::Lang;

macro_rules! points_texts {
    ($($key:ident: $zh:literal, $en:literal;)+) => {
        /// The volunteer and points pages' strings in one language. Each field's documentation is
        /// its Chinese text.
        #[derive(Debug)]
        pub struct PointsText {
            $(#[doc = $zh] pub $key: &'static str,)+
        }

        /// 中文.
        pub static ZH: PointsText = PointsText { $($key: $zh,)+ };

        /// English.
        pub static EN: PointsText = PointsText { $($key: $en,)+ };
    };
}

points_texts! {
    nav_points: "我的积分", "My points";
    nav_shop: "积分超市", "Points shop";
    nav_volunteer: "志愿服务", "Volunteering";
    nav_volunteers: "志愿服务", "Volunteers";
    nav_shop_admin: "积分超市", "Points shop";
    points_unit: "分", "pts";
    balance: "积分余额", "Balance";
    stars: "志愿者星级", "Volunteer level";
    service_hours: "志愿服务时长", "Service hours";
    hours_unit: "小时", "h";
    next_star_prefix: "距下一星级还差", "To the next level: ";
    how_to_earn: "如何获得积分", "How to earn points";
    earn_report: "反映的问题经核实属实并销号", "A report of yours proves true and is closed";
    earn_service: "志愿服务每小时", "Each hour of volunteer service";
    earn_attendance: "参加会议或活动每次", "Each meeting or event attended";
    history: "积分明细", "Points history";
    no_history: "暂无积分记录", "No points yet";
    col_time: "时间", "When";
    col_kind: "类型", "Kind";
    col_memo: "事由", "For";
    col_amount: "积分", "Points";
    my_redemptions: "我的兑换", "My redemptions";
    no_redemptions: "暂无兑换", "No redemptions";
    col_goods: "物品", "Goods";
    col_quantity: "数量", "Qty";
    col_code: "领取码", "Pick-up code";
    col_state: "状态", "State";
    col_shop: "兑换点", "Shop";
    cancel_redemption: "取消兑换", "Cancel";
    cancel_reason_default: "本人取消", "Cancelled by me";
    go_shop: "去积分超市兑换", "Go to the points shop";
    done_redeem: "兑换成功，请凭领取码到兑换点领取。", "Redeemed. Show the pick-up code at the shop to collect.";
    done_cancel: "已取消兑换，积分已退回。", "Cancelled; the points are back.";
    shop_title: "积分超市", "Points shop";
    shop_intro: "用积分兑换社区平安超市的物品。兑换后凭领取码到兑换点领取。", "Redeem your points for goods of a community's shop, then collect them with the pick-up code.";
    shop_pick: "兑换点", "Shop";
    shop_show: "查看", "Show";
    shop_none: "该兑换点暂无可兑换的物品", "This shop has nothing on offer";
    price: "所需积分", "Price";
    in_stock: "库存", "In stock";
    quantity: "数量", "Quantity";
    redeem: "兑换", "Redeem";
    out_of_stock: "已兑完", "Out of stock";
    vol_title: "志愿服务", "Volunteering";
    vol_intro: "登记为志愿者后可报名社区活动；参加活动由组织者记录出勤，计入志愿服务时长并获得积分。", "Register as a volunteer to sign up for activities; organisers record attendance, which counts as service hours and earns points.";
    register_title: "登记为志愿者", "Register as a volunteer";
    f_name: "姓名", "Name";
    f_phone: "手机号码", "Mobile phone";
    f_community: "所在社区", "Community";
    f_skills: "特长与可服务时间", "Skills and availability";
    consent_text: "我同意社区志愿服务组织者保存和使用以上信息，仅用于志愿服务的联系和记录；电话号码加密保存，工作人员只能看到部分号码。", "I agree that the organisers keep and use these details only to contact me about volunteering and to record my service; the phone number is stored encrypted and staff see it masked.";
    register: "登记", "Register";
    done_register: "已登记为志愿者。", "You are registered as a volunteer.";
    my_record: "我的志愿者档案", "My volunteer record";
    teams: "志愿服务队", "Teams";
    upcoming: "可报名的活动", "Activities open for sign-up";
    my_activities: "我报名的活动", "My activities";
    no_activities: "暂无活动", "No activities";
    sign_up: "报名", "Sign up";
    withdraw: "取消报名", "Withdraw";
    signed_up: "已报名", "Signed up";
    places: "名额", "Places";
    attended: "已出勤", "Attended";
    not_attended: "未记录出勤", "No attendance recorded";
    done_sign_up: "报名成功。", "Signed up.";
    done_withdraw: "已取消报名。", "Withdrawn.";
    volunteers_title: "志愿者与志愿服务队", "Volunteers and teams";
    no_volunteers: "暂无志愿者", "No volunteers";
    col_name: "姓名", "Name";
    col_phone: "电话", "Phone";
    col_community: "社区", "Community";
    col_hours: "服务时长（小时）", "Service hours";
    col_stars: "星级", "Level";
    col_teams: "所属队伍", "Teams";
    new_team: "新建志愿服务队", "New team";
    f_team_name: "队伍名称", "Team name";
    f_description: "说明", "Description";
    f_area: "所属区域", "Area";
    add_member: "加入队伍", "Add to team";
    f_team: "志愿服务队", "Team";
    f_volunteer: "志愿者", "Volunteer";
    members: "队员", "Members";
    activities_link: "活动管理", "Activities";
    activities_title: "志愿活动", "Activities";
    new_activity: "发布活动", "New activity";
    f_title: "活动名称", "Title";
    f_place: "地点", "Place";
    f_kind: "类型", "Kind";
    f_starts: "开始时间", "Starts";
    f_ends: "结束时间", "Ends";
    f_capacity: "名额", "Places";
    f_run_by: "负责队伍（可不选）", "Run by team (optional)";
    col_when: "时间", "When";
    col_area: "区域", "Area";
    col_signed: "报名", "Signed up";
    signups: "报名名单", "Signed up";
    no_signups: "暂无报名", "Nobody has signed up";
    record_attendance: "记录出勤", "Record attendance";
    f_minutes: "时长（分钟，不填为全程）", "Minutes (blank: the whole activity)";
    earned: "获得", "Earned";
    close_activity: "结束活动（出勤定稿）", "Close (attendance final)";
    cancel_activity: "取消活动", "Cancel the activity";
    f_reason: "原因", "Reason";
    cancelled_because: "取消原因", "Cancelled because";
    done_attend: "出勤已记录，积分已发放。", "Attendance recorded; points paid.";
    done_close: "活动已结束。", "Activity closed.";
    done_cancel_activity: "活动已取消。", "Activity cancelled.";
    shop_admin_title: "积分超市管理", "Points shop";
    goods: "物品", "Goods";
    no_goods: "暂无物品", "No goods";
    new_goods: "上架新物品", "New goods";
    f_goods_name: "物品名称", "Name";
    f_price: "所需积分", "Price in points";
    f_stock: "初始库存", "Initial stock";
    f_delta: "数量（正数入库，负数出库）", "Units (positive in, negative out)";
    change_stock: "调整库存", "Change stock";
    reserved: "待领取", "Reserved";
    handed: "已领取", "Handed over";
    pending: "待领取的兑换", "Waiting to be collected";
    no_pending: "暂无待领取的兑换", "Nothing waiting";
    col_member: "兑换人", "Member";
    col_resident: "居民", "Resident";
    hand_over: "核验领取码并发放", "Check the code and hand over";
    f_code: "领取码", "Pick-up code";
    cancel_at_counter: "取消并退回积分", "Cancel and refund";
    done_hand_over: "已发放。", "Handed over.";
    done_goods: "已上架。", "Goods added.";
    done_stock: "库存已调整。", "Stock changed.";
    done_team: "已保存。", "Saved.";
    points_admin_title: "积分规则与台账", "Points rules and ledger";
    points_link: "积分规则与台账", "Rules and ledger";
    rules: "积分规则", "Earning rules";
    rules_set_at: "当前规则设于", "Rules in force set at";
    rules_default: "尚未设置，使用系统默认规则", "Not set: the defaults apply";
    f_report_true: "反映属实（每件）", "A true report (each)";
    f_per_hour: "志愿服务（每小时）", "Volunteer service (per hour)";
    f_attendance: "参加活动（每次）", "Attendance (each)";
    f_true_results: "视为属实的办理结果", "Results that count as true";
    f_star_hours: "一至五星所需服务时长（小时）", "Service hours for one to five stars";
    save: "保存", "Save";
    done_rules: "积分规则已保存。", "Rules saved.";
    ledger: "积分台账", "Ledger";
    no_ledger: "暂无记录", "No entries";
    col_postings: "分录", "Postings";
    submit: "提交", "Submit";
    choose: "请选择", "Choose";
    done_prefix: "已完成：", "Done: ";
    colon: "：", ": ";
    rules_of: "查看区域", "Show the rules of";
    not_enough: "积分不足", "Not enough points";
}

/// The strings in a language.
pub fn points_text(lang: Lang) -> &'static PointsText {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}
