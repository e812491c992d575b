//! The user's language and the translation of error codes. Chinese is the default; English is
//! chosen by `?lang=en`, a `lang` cookie, or an `Accept-Language` that prefers English.

use axum::http::HeaderMap;
use axum::http::request::Parts;

/// A supported language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 中文 (default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The language code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }

    /// Reads the language from a request's query, cookie and headers, in that order.
    pub fn from_parts(parts: &Parts) -> Self {
        if let Some(q) = parts.uri.query() {
            for pair in q.split('&') {
                match pair {
                    "lang=en" => return Self::En,
                    "lang=zh" => return Self::Zh,
                    _ => {}
                }
            }
        }
        Self::from_headers(&parts.headers)
    }

    /// Reads the language from cookie and `Accept-Language`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        for c in headers.get_all(axum::http::header::COOKIE) {
            if let Ok(s) = c.to_str() {
                for kv in s.split(';') {
                    match kv.trim() {
                        "lang=en" => return Self::En,
                        "lang=zh" => return Self::Zh,
                        _ => {}
                    }
                }
            }
        }
        let accept = headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if accept.trim_start().starts_with("en") { Self::En } else { Self::Zh }
    }

    /// Picks the text in this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Zh => zh,
            Self::En => en,
        }
    }
}

/// The name of an input field in the user's language.
pub fn field_name(field: &str, lang: Lang) -> String {
    let (zh, en) = match field {
        "title" => ("标题", "title"),
        "text" => ("内容", "text"),
        "reason" => ("理由", "reason"),
        "note" => ("备注", "note"),
        "instruction" => ("批示", "instruction"),
        "area_code" => ("所属区域", "area"),
        "category" => ("分类", "category"),
        "filter" => ("筛选条件", "filter"),
        "state" => ("状态", "state"),
        "ledger" => ("台账类型", "ledger"),
        "channel" => ("来源渠道", "channel"),
        "urgency" => ("紧急程度", "urgency"),
        "location" => ("位置", "location"),
        "phone" => ("电话", "phone"),
        "contact" | "contact.name" => ("联系人", "contact"),
        "number" => ("诉求编号", "case number"),
        "days" => ("延期天数", "days"),
        "lead" => ("主办单位", "lead organisation"),
        "co" => ("协办单位", "co-organisations"),
        "to" => ("下派区域", "delegation area"),
        "into" | "into_number" => ("合并目标", "merge target"),
        "username" => ("用户名", "username"),
        "password" => ("密码", "password"),
        "name" => ("名称", "name"),
        "outcome" => ("办理结果", "outcome"),
        "satisfaction" => ("满意度", "satisfaction"),
        "level" => ("督办级别", "supervision level"),
        "file" => ("附件", "file"),
        "reporter" => ("反映人", "reporter"),
        "attachments" => ("附件", "attachments"),
        "role" => ("角色", "role"),
        "binding" => ("归属", "binding"),
        "org_id" => ("所属单位", "organisation"),
        "move" => ("操作", "action"),
        "id_number" => ("身份证号", "identity number"),
        "credit_code" => ("统一社会信用代码", "credit code"),
        "kind" => ("人口类型", "resident kind"),
        "grid" => ("网格编码", "grid"),
        "house" | "houses" => ("房屋", "house"),
        "care" => ("关爱类别", "care group"),
        "use" => ("用途", "use"),
        "tenancy" => ("租住情况", "tenancy"),
        "status" => ("状态", "status"),
        "stream_url" => ("视频流地址", "stream address"),
        "lon" => ("经度", "longitude"),
        "lat" => ("纬度", "latitude"),
        "crs" => ("坐标系", "coordinate system"),
        "summary" => ("走访情况", "summary"),
        "visited_on" => ("走访日期", "visit date"),
        "table" => ("数据类别", "table"),
        "photo" => ("现场照片", "photo"),
        "done" => ("处置情况", "what was done"),
        "facts" => ("纠纷事实", "facts"),
        "dispute_type" => ("纠纷类型", "dispute type"),
        "risk" => ("风险等级", "risk level"),
        "source" => ("纠纷来源", "source"),
        "tier" => ("调解层级", "tier"),
        "money" => ("涉及金额", "money involved"),
        "parties" => ("当事人", "parties"),
        "party_name" => ("当事人姓名", "party name"),
        "party_id" => ("当事人证件号", "party identifier"),
        "party_address" => ("当事人住址", "party address"),
        "party_role" => ("当事人身份", "party role"),
        "party_kind" => ("当事人类别", "party kind"),
        "party_base" => ("基础数据记录", "base-data record"),
        "mediation_kind" => ("调解类型", "mediation kind"),
        "org" => ("调解组织", "mediation organisation"),
        "mediators" => ("调解员", "mediators"),
        "case" => ("关联诉求", "case"),
        "screening" => ("排查记录", "screening"),
        "court_ref" => ("法院委派号", "court referral number"),
        "held_on" => ("日期", "date"),
        "method" => ("调解方式", "method"),
        "parties_present" => ("到场当事人", "parties present"),
        "notes" => ("情况记录", "notes"),
        "session_outcome" => ("调解结果", "session outcome"),
        "terms" => ("协议内容", "agreement terms"),
        "performance" => ("履行方式和期限", "performance"),
        "next_on" => ("下次调解日期", "next session"),
        "participants" => ("参加人员", "participants"),
        "specialities" => ("擅长领域", "specialities"),
        "follow_up" => ("回访结果", "follow-up result"),
        "referral" => ("移交去向", "referred to"),
        "list" => ("列表", "list"),
        "by" => ("分组方式", "grouping"),
        "start" => ("期初日期", "first day"),
        "report_kind" => ("报表类型", "report kind"),
        "unit" => ("考评对象", "assessed unit"),
        "record_kind" => ("类别", "kind"),
        "amount" => ("分值或数值", "points or value"),
        "code" => ("指标或否决项", "indicator or veto item"),
        "indicators" => ("考评指标", "indicators"),
        "plan" => ("考评方案", "assessment plan"),
        "min_cases" => ("参与排名最少件数", "fewest cases to rank"),
        "format" => ("格式", "format"),
        "area" => ("区域", "area"),
        "from" => ("开始日期", "from"),
        "user_id" => ("登录账号", "account"),
        "url" => ("接收地址", "address"),
        "topics" => ("订阅主题", "topics"),
        "secret" => ("签名密钥", "signing secret"),
        "outbox_ids" => ("事件编号", "event ids"),
        "content" => ("议事内容", "proposal text"),
        "procedure" => ("议事程序", "procedure"),
        "stage" => ("议事环节", "stage"),
        "meeting" => ("会议记录", "meeting record"),
        "publication" => ("公开内容", "publication"),
        "held_at" => ("会议时间", "meeting time"),
        "members_total" => ("应到人数", "number of members"),
        "attendees" => ("到会人员", "members present"),
        "observers" => ("列席人员", "observers"),
        "votes" => ("表决票数", "vote count"),
        "votes.for" => ("赞成票", "votes for"),
        "votes.against" => ("反对票", "votes against"),
        "votes.abstain" => ("弃权票", "abstentions"),
        "comment" => ("群众意见", "comment"),
        // Volunteers and points.
        "volunteer" => ("志愿者", "volunteer"),
        "consent" => ("同意使用个人信息", "consent"),
        "skills" => ("特长", "skills"),
        "team" => ("志愿服务队", "team"),
        "activity" => ("活动", "activity"),
        "activity_kind" => ("活动类型", "activity kind"),
        "place" => ("地点", "place"),
        "description" => ("说明", "description"),
        "starts_at" => ("开始时间", "start"),
        "ends_at" => ("结束时间", "end"),
        "capacity" => ("名额", "places"),
        // A meeting's minutes (deliberation) and the minutes a volunteer served (attendance).
        "minutes" => ("会议记录或服务时长（分钟）", "minutes"),
        "goods" => ("物品", "goods"),
        "price" => ("所需积分", "price"),
        "stock" => ("库存", "stock"),
        "quantity" => ("兑换数量", "quantity"),
        "pickup_code" => ("领取码", "pick-up code"),
        "request_id" => ("请求编号", "request id"),
        "points" => ("积分", "points"),
        "report_true" => ("反映属实积分", "points for a true report"),
        "per_service_hour" => ("每小时志愿服务积分", "points per service hour"),
        "attendance" => ("参加活动积分", "points for attendance"),
        "true_results" => ("视为属实的办理结果", "results counted as true"),
        "star_hours" => ("星级时长门槛", "star thresholds"),
        "entry_kind" => ("积分类型", "entry kind"),
        other => return other.to_owned(),
    };
    lang.pick(zh, en).to_owned()
}

/// A validation reason in the user's language.
pub fn reason_text(reason: &str, lang: Lang) -> String {
    let (zh, en) = match reason {
        "required" => ("不能为空", "is required"),
        "too_long" => ("过长", "is too long"),
        "out_of_range" => ("超出允许范围", "is out of range"),
        "unknown_value" => ("取值无效", "has an unknown value"),
        "unknown_area" => ("区域不存在", "names no known area"),
        "unknown_category" => ("分类不存在", "names no known category"),
        "unknown_org" => ("单位不存在", "names no known organisation"),
        "unknown_case" => ("诉求不存在", "names no known case"),
        "not_an_area_code" => ("不是有效的区划代码", "is not a valid area code"),
        "not_a_category_code" => ("不是有效的分类代码", "is not a valid category code"),
        "not_a_case_number" => ("不是有效的诉求编号", "is not a valid case number"),
        "not_a_phone_number" => ("不是有效的电话号码", "is not a valid phone number"),
        "not_a_uuid" => ("格式无效", "is not a valid id"),
        "must_be_self" => ("必须是本人", "must be yourself"),
        "not_a_resident_channel" => ("群众只能通过网站或移动端提交", "must be web or mobile for residents"),
        "lead_also_co" => ("主办单位不能同时为协办", "must not repeat the lead organisation"),
        "duplicate" => ("有重复", "contains duplicates"),
        "not_below_handling_area" => ("必须是当前承办中心的下级区域", "must be below the current centre's area"),
        "does_not_match" => ("与目标不一致", "does not match"),
        "not_an_open_case" => ("目标诉求已结束", "is not an open case"),
        "only_with_contact_reporter" => ("仅在留有联系方式时填写", "is only allowed with a contact reporter"),
        "too_many" => ("数量过多", "has too many items"),
        "too_many_rows" => ("超过 10 万行，请先缩小范围", "matches more than 100,000 rows; narrow it first"),
        "too_large" => ("文件过大", "is too large"),
        "type_not_allowed" => ("文件类型不允许", "has a type that is not allowed"),
        "invalid" => ("格式无效", "is invalid"),
        "malformed" => ("格式无效", "is malformed"),
        "parent_missing" => ("上级区域不存在", "has no parent area"),
        "does_not_fit_role" => ("与角色不匹配", "does not fit the role"),
        "unknown_role" => ("角色无效", "is not a known role"),
        "wrong_length" => ("位数不对", "has the wrong length"),
        "not_digits" => ("含有非数字字符", "contains characters that are not digits"),
        "bad_region" => ("地区码无效", "has an invalid region code"),
        "bad_birth_date" => ("出生日期无效", "has an invalid birth date"),
        "bad_check_digit" => ("校验位错误", "has a wrong check digit"),
        "bad_characters" => ("含有无效字符", "contains invalid characters"),
        "unknown_column" => ("不是可识别的列", "is not a known column"),
        "missing_column" => ("缺少此列", "is missing"),
        "duplicate_column" => ("列名重复", "appears twice"),
        "not_a_number" => ("不是数字", "is not a number"),
        "not_a_grid" => ("不是网格级区划", "is not a grid"),
        "unknown_grid" => ("网格不存在", "names no known grid"),
        "unknown_house" => ("房屋不存在（请先导入房屋）", "names no known house (import houses first)"),
        "grid_or_house_required" => ("须填写网格编码或房屋编号", "needs a grid or a house"),
        "grid_or_location_required" => ("须填写网格编码或经纬度", "needs a grid or coordinates"),
        "recorded_outside_scope" => ("此人已登记在您管辖范围以外", "is recorded outside your area"),
        "bad_url" => ("须为 http、https、rtsp 或 rtmp 地址", "must be an http, https, rtsp or rtmp address"),
        "not_in_your_grid" => ("不在您的网格内", "is not in your grid"),
        "empty_file" => ("文件为空", "is empty"),
        "out_of_scope" => ("超出您的管辖范围", "is outside your area"),
        "outside_scope" => ("超出您的管辖范围", "is outside your area"),
        "not_a_period_start" => ("不是该类报表周期的第一天", "is not the first day of such a period"),
        "unknown_record" => ("记录不存在", "names no known record"),
        "differs_from_base_data" => ("与基础数据登记的不一致", "differs from the base data on file"),
        "at_least_two" => ("至少填写两方当事人", "needs at least two parties"),
        "already_a_dispute" => ("该诉求已转为纠纷", "has already become a dispute"),
        "unknown_screening" => ("排查记录不存在", "names no known screening"),
        "outside_screening" => ("不在排查范围内", "is outside the screened area"),
        "above_area" => ("高于纠纷所在区域的层级", "is above the dispute's area"),
        "bad_id" => ("不是有效的身份证号", "is not a valid identity number"),
        "bad_credit_code" => ("不是有效的统一社会信用代码", "is not a valid credit code"),
        "not_an_amount" => ("不是有效金额", "is not an amount"),
        "in_future" => ("不能晚于今天", "cannot be in the future"),
        "not_a_party" => ("不是本纠纷的当事人", "is not a party to this dispute"),
        "only_with_agreement" => ("仅在达成协议时填写", "is only for an agreement"),
        "before_session" => ("不能早于本次调解", "cannot be before this session"),
        "unknown_mediator" => ("调解员不存在", "names no known mediator"),
        "not_serving_this_area" => ("不负责该区域的调解", "does not serve this area"),
        "not_community_or_street" => ("须为村（社区）或乡镇（街道）", "must be a community or a street"),
        "below_community" => ("调解组织须设在村（社区）及以上", "must be a community or above"),
        "below_public_page" => (
            "公开栏只设到村（社区），请选择所在的村（社区）",
            "has no page of its own: choose its community or village",
        ),
        "not_a_web_address" => ("须为 http 或 https 地址", "must be an http or https address"),
        "too_short" => ("过短（至少 16 个字符）", "is too short (at least 16 characters)"),
        "not_current_stage" => (
            "不是当前环节：议事须按程序逐个环节进行，不能跳过或回到已完成的环节",
            "is not the current stage: stages go in order, none skipped or repeated",
        ),
        "unknown_stage" => ("不是本程序的环节", "is not a stage of this procedure"),
        "not_a_meeting_stage" => ("是公开环节，须发布公开内容", "is a publication stage: publish the text"),
        "not_a_publication_stage" => ("是会议环节，须记录会议表决", "is a meeting stage: record the meeting"),
        "quorum_not_met" => ("未达到规定的到会人数，会议不能召开", "does not reach the quorum; the meeting cannot sit"),
        "do_not_add_up" => (
            "与到会人数不符：赞成、反对、弃权票之和须等于到会人数",
            "must add up to the members present (for, against and abstaining)",
        ),
        "more_than_members" => ("多于应到人数", "outnumbers the members"),
        "before_previous_meeting" => ("不能早于上一次会议", "cannot be before the previous meeting"),
        "also_an_attendee" => ("已列为到会成员", "is already listed as a member present"),
        "not_community_or_village" => ("须为村（社区）", "must be a village or community"),
        "already_a_proposal" => ("已转为议事事项", "has already become a proposal"),
        "unknown_comment" => ("意见不存在", "names no known comment"),
        "case_or_comment" => ("只能来自一件诉求或一条意见", "must come from one case or one comment, not both"),
        "not_a_time" => ("不是有效的时间", "is not a valid time"),
        "not_a_whole_number" => ("须为非负整数", "must be a whole number, zero or more"),
        "negative" => ("不能为负数", "cannot be negative"),
        "must_be_positive" => ("须大于零", "must be more than zero"),
        "must_not_be_zero" => ("不能为零", "cannot be zero"),
        "not_a_community" => ("须为村（社区）", "must be a community or village"),
        "below_community_level" => ("须为村（社区）或更高一级", "must be a community or above"),
        "not_after_start" => ("须晚于开始时间", "must be after the start"),
        "longer_than_a_day" => ("活动不能超过一天", "makes the activity longer than a day"),
        "longer_than_activity" => ("超过活动时长", "is longer than the activity"),
        "exceeds_stock" => ("超过现有库存", "is more than is in stock"),
        "exceeds_balance" => ("所需积分超过您的余额", "costs more points than you have"),
        "not_a_pickup_code" => ("须为 8 位数字", "must be 8 digits"),
        "not_registered" => ("您还不是注册志愿者，请先登记", "is not registered yet; register first"),
        "already_signed_up" => ("已报名", "is already signed up"),
        "not_signed_up" => ("未报名该活动", "is not signed up"),
        "already_recorded" => ("已记录过出勤", "already has attendance recorded"),
        "unknown_volunteer" => ("志愿者不存在", "names no known volunteer"),
        "unknown_team" => ("志愿服务队不存在", "names no known team"),
        "not_increasing" => ("须逐级递增且大于零", "must rise from level to level, above zero"),
        "five_numbers" => {
            ("须为五个整数（如 100,300,600,1000,1500）", "must be five whole numbers (e.g. 100,300,600,1000,1500)")
        }
        other => return other.to_owned(),
    };
    lang.pick(zh, en).to_owned()
}

/// A case-life rule in the user's language.
pub fn rule_text(rule: &str, lang: Lang) -> String {
    let (zh, en) = match rule {
        "leader_review_required" => {
            ("该诉求须经领导阅批后才能受理", "this case needs a leader's review before acceptance")
        }
        "extension_already_pending" => ("已有待审批的延期申请", "an extension request is already pending"),
        "no_extension_pending" => ("没有待审批的延期申请", "there is no pending extension request"),
        "escalation_not_requested" => ("承办单位未申请提级", "the handler has not asked for escalation"),
        "no_parent_level" => ("已是最高层级，无法提级", "there is no higher level"),
        "cannot_merge_into_itself" => ("不能与自身合并", "a case cannot be merged into itself"),
        "redo_needs_unsatisfied_revisit" => ("仅在群众不满意时可重办", "a redo needs an unsatisfied revisit"),
        "redo_limit_reached" => ("重办次数已达上限", "the redo limit is reached"),
        "close_needs_revisit" => ("销号前须完成回访", "a revisit must be recorded before closing"),
        "out_of_scope" => ("超出您的数据范围", "outside your data scope"),
        "not_your_case_at_this_stage" => ("当前环节不由您办理", "this stage is not yours to act on"),
        "min_attempts_not_reached" => (
            "本级调解未达到规定次数（红色风险除外），不能上交",
            "this tier has not yet made the required number of attempts (red risk excepted)",
        ),
        "no_higher_tier" => ("已是县级联调中心，无法再上交", "the county centre is the highest tier"),
        "already_decided" => ("已作出决议，不能再撤回", "the proposal is decided and can no longer be withdrawn"),
        "proposal_closed" => ("该议事事项已结束，不再接受意见", "the proposal is closed to comments"),
        "activity_full" => ("活动名额已满", "the activity is full"),
        "activity_over" => ("活动已结束，不能再报名", "the activity is over; sign-up has closed"),
        "activity_started" => {
            ("活动已开始，不能再取消报名", "the activity has started; the place can no longer be given back")
        }
        "activity_not_started" => {
            ("活动尚未开始，不能记录出勤", "the activity has not started; attendance cannot be recorded yet")
        }
        "activity_is_open" => ("活动正在报名，尚未举行", "the activity is still taking sign-ups"),
        "activity_is_full" => ("活动名额已满，尚未举行", "the activity is full and not yet held"),
        "activity_is_held" => ("活动已举行，不能再报名或取消", "the activity has been held"),
        "activity_is_closed" => ("活动已结束", "the activity is closed"),
        "activity_is_cancelled" => ("活动已取消", "the activity was cancelled"),
        "redemption_is_handed_over" => ("物品已领取", "the goods were handed over already"),
        "redemption_is_cancelled" => ("兑换已取消", "the redemption was cancelled"),
        "insufficient_points" => ("积分余额不足", "not enough points"),
        "ledger_overdrawn" => ("积分账户不平，操作未执行", "the ledger would be overdrawn; nothing was done"),
        other => return other.to_owned(),
    };
    lang.pick(zh, en).to_owned()
}
