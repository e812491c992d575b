//! Every string the web pages show, in Chinese and English, kept side by side so a translation
//! can never be forgotten: [`Text`] is one struct with a field per string, built twice by one
//! macro, so a missing translation is a compile error. Labels of the domain's vocabularies
//! (states, ledgers, …) live in the domain; this module adds the ones only screens need (move
//! buttons, form fields).

use shiyu_domain::case::Move;

use crate::i18n::Lang;

/// Defines a strings struct and its Chinese and English instances from `key: "中文", "English";`
/// lines: [`Text`] here, and with the same macro the strings of a capability's own pages (e.g.
/// [`crate::web::pages::proposals::text`]).
macro_rules! texts {
    ($(#[$doc:meta])* $name:ident, $zh_name:ident, $en_name:ident; $($key:ident: $zh:literal, $en:literal;)+) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name {
            $(#[doc = $zh] pub $key: &'static str,)+
        }

        /// 中文.
        pub static $zh_name: $name = $name { $($key: $zh,)+ };

        /// English.
        pub static $en_name: $name = $name { $($key: $en,)+ };
    };
}
pub(crate) use texts;

texts! {
    /// The web pages' strings in one language. Each field's documentation is its Chinese text.
    Text, ZH, EN;
    app_name: "市域社会治理平台", "City Social Governance Platform";
    app_short: "市域", "Shiyu";
    about: "群众诉求和网格事件一口受理、分类建账、快速交办、跟踪督办，直到群众满意后销号归档。",
        "One platform where every resident request and grid report enters once, is routed to whoever must act, and is followed until the resident says it is done.";
    footer: "市域社会治理平台 · 服务群众，不做监控", "City Social Governance Platform · a service, not surveillance";
    sign_in: "登录", "Sign in";
    sign_out: "退出", "Sign out";
    username: "用户名", "User name";
    password: "密码", "Password";
    login_title: "登录市域社会治理平台", "Sign in to the platform";
    login_follow: "没有账号？凭诉求编号和电话查询办理进度", "No account? Follow a request with its number and your phone";
    switch_to: "English", "中文";
    colon: "：", ": ";
    list_sep: "、", ", ";
    paren_open: "（", " (";
    paren_close: "）", ")";
    nav_home: "首页", "Home";
    nav_cases: "诉求列表", "Cases";
    nav_overdue: "超期督办", "Overdue";
    nav_intake: "登记诉求", "Register";
    nav_report: "上报事件", "Report";
    nav_my: "我的诉求", "My requests";
    nav_new_request: "我要反映", "New request";
    nav_follow: "进度查询", "Follow a request";
    notices: "消息提醒", "Notices";
    no_notices: "暂无消息", "No notices";
    empty_list: "暂无诉求", "No cases";
    more: "查看全部", "See all";
    summary: "诉求概况", "Summary";
    total: "合计", "Total";
    overdue_count: "超期", "Overdue";
    home_operator: "受理台", "Intake desk";
    home_handler: "承办台", "Handling desk";
    home_leader: "领导工作台", "Leader's desk";
    home_grid: "网格工作台", "Grid desk";
    home_overview: "工作概况", "Overview";
    q_to_accept: "待受理", "To accept";
    q_to_dispatch: "待交办（含退回）", "To dispatch (incl. returned)";
    q_requests: "待决定的延期、提级申请", "Extension and escalation requests";
    q_revisit: "待回访、销号", "To revisit and close";
    q_overdue: "超期诉求", "Overdue";
    q_to_sign: "待签收", "To sign for";
    q_in_progress: "办理中", "In progress";
    q_review: "待阅批", "To review";
    q_verify: "待把关", "To verify";
    q_supervised: "督办诉求", "Supervised";
    q_grid_open: "本网格在办诉求", "Open cases in my grid";
    col_number: "编号", "Number";
    col_title: "标题", "Title";
    col_state: "状态", "State";
    col_area: "区域", "Area";
    col_lead: "主办单位", "Lead organisation";
    col_due: "期限", "Due";
    col_overdue_by: "超期时长", "Overdue by";
    hours: "小时", "h";
    days_unit: "个工作日", "working days";
    filter_state: "状态", "State";
    filter_all_states: "全部状态", "All states";
    filter_open: "在办", "Open";
    filter_overdue: "仅超期", "Overdue only";
    filter_supervised: "仅督办", "Supervised only";
    filter_area: "地区", "Area";
    filter_off_grid: "位置不在任何网格内", "Location in no grid";
    filter_clear_area: "全部地区", "All areas";
    nav_map: "地图", "Map";
    map_title: "网格地图", "Grid map";
    map_open: "未结", "Open";
    map_overdue: "超期", "Overdue";
    map_list: "查看案件", "List cases";
    map_drill: "进入下一级", "Open this area";
    map_up: "返回上一级", "Up one level";
    map_cases: "案件", "Cases";
    map_cameras: "视频点位", "Cameras";
    map_empty: "该地区尚无边界数据", "No boundaries recorded for this area";
    map_legend_ok: "无未结案件", "No open cases";
    map_legend_open: "有未结案件", "Open cases";
    map_legend_overdue: "有超期案件", "Overdue cases";
    nav_grid: "我的网格", "My grid";
    grid_title: "我的网格", "My grid";
    grid_tasks: "派给本网格的任务", "Tasks for my grid";
    grid_overdue: "我的超期事项", "My overdue items";
    grid_waiting: "待中心受理", "Waiting for the centre";
    grid_report: "上报事件", "Report an event";
    grid_visit: "走访登记", "Log a visit";
    grid_found: "发现的情况", "What you found";
    grid_photo: "现场照片", "Photo";
    grid_solved: "已就地解决（网格自办，仍由领导把关）", "Solved on the spot (still checked by a leader)";
    grid_done: "处置情况", "What was done";
    attachments: "现场照片与附件", "Photos and attachments";
    nav_admin_areas: "区划与网格", "Areas and grids";
    areas_import_title: "导入区划与网格（GeoJSON）", "Import areas and grids (GeoJSON)";
    areas_import_intro: "上传 GeoJSON 要素集合，每个要素带 code（区划编码）、name（名称），可带 parent。整份文件先全部检查：环未闭合、自相交、同级重叠、上级覆盖缺口、超出上级范围等问题逐条列出，有任何问题则一条也不写入。", "Upload a GeoJSON FeatureCollection whose features carry code, name and optionally parent. The whole file is checked first: unclosed or self-intersecting rings, overlapping siblings, holes in a parent's coverage, areas outside their parent are all listed, and if there is any problem nothing is written.";
    areas_imported: "已导入：新增 {inserted}，更新 {updated}，未变 {unchanged}；网格索引现有 {grids} 个网格。", "Imported: {inserted} new, {updated} changed, {unchanged} unchanged; the grid index now holds {grids} grids.";
    import_refused: "文件有以下问题，未写入任何数据：", "The file has these problems; nothing was written:";
    geojson_file: "GeoJSON 文件", "GeoJSON file";
    crs_label: "坐标系", "Coordinate system";
    crs_declared: "按文件声明（默认 WGS-84）", "As the file declares (default WGS-84)";
    import_button: "检查并导入", "Check and import";
    visits_title: "走访日志", "Visit log";
    visits_recent: "近30天走访", "Visits of the last 30 days";
    care_due: "一周内应走访的关爱对象", "Care visits due within a week";
    due_on: "应访日期", "due";
    households: "户", "households";
    finding_to_case: "发现问题转为事件", "Turn the finding into a case";
    finding_case: "已转为事件，查看", "Became a case: open it";
    visit_day: "走访日期", "Day of the visit";
    visit_households: "走访住户", "Households visited";
    visit_summary: "走访情况", "What you saw";
    visit_found: "发现的问题（可留空）", "Anything found (may be empty)";
    nav_base: "基础数据", "Base data";
    base_title: "基础数据（人、房、单位、点位）", "Base data (people, houses, entities, cameras)";
    base_residents: "实有人口", "Residents";
    base_houses: "实有房屋", "Houses";
    base_entities: "实有单位", "Legal entities";
    base_cameras: "视频点位", "Cameras";
    base_care: "关爱对象", "Care visits";
    base_import: "导入导出", "Import";
    base_count: "共 {total} 条，第 {page}/{pages} 页", "{total} records, page {page} of {pages}";
    base_table: "数据类别", "Table";
    base_file: "文件（CSV 或 XLSX）", "File (CSV or XLSX)";
    base_import_intro: "整份文件先逐行检查，有任何错误则一条也不写入，并列出出错的行、列和原因。同一个人无论导入多少次都只有一条记录；空白单元格不会清除已有数据。可先导出一份作为模板。", "Every row is checked first; if any is wrong nothing is written and each bad row, column and reason is listed. One person is one record however often imported; empty cells never erase what is stored. Export a file first to use it as a template.";
    base_imported: "导入完成：新增 {inserted}，更新 {updated}，未变 {unchanged}。", "Imported: {inserted} new, {updated} changed, {unchanged} unchanged.";
    export_xlsx: "导出 XLSX", "Export XLSX";
    export_csv: "导出 CSV", "Export CSV";
    unmask: "查看完整号码", "Show in full";
    unmask_reason: "查看理由（记入审计）", "Reason (audited)";
    unmasked: "完整号码（已记入审计日志）", "In full (recorded in the audit log)";
    col_name: "姓名/名称", "Name";
    col_id_number: "身份证号", "Identity number";
    col_phone: "联系电话", "Phone";
    col_kind: "人口类型", "Kind";
    col_grid: "网格", "Grid";
    col_house: "房屋", "House";
    col_code: "编号", "Code";
    col_address: "地址", "Address";
    col_use: "用途", "Use";
    col_tenancy: "租住", "Tenancy";
    col_residents: "居住人数", "Residents";
    col_credit_code: "统一社会信用代码", "Credit code";
    col_status: "状态", "Status";
    col_stream: "视频流地址", "Stream";
    col_care: "关爱类别", "Care group";
    col_last_visit: "上次走访", "Last visit";
    col_visit_due: "应访日期", "Visit due";
    col_people: "人数", "People";
    col_overdue: "逾期未访", "Overdue";
    cameras_near: "附近视频点位", "Cameras nearby";
    metres: "米", "m";
    open_stream: "查看视频", "Open stream";
    filter_q: "标题关键词", "Title contains";
    filter_apply: "筛选", "Filter";
    page_prev: "上一页", "Previous";
    page_next: "下一页", "Next";
    page_of: "共 {total} 件，第 {page}/{pages} 页", "{total} cases, page {page} of {pages}";
    overdue_title: "超期督办看板", "Overdue board";
    overdue_intro: "当前环节已超过期限的在办诉求，超期最久的在前。", "Open cases past the deadline of their current stage, most overdue first.";
    intake_title: "登记诉求", "Register a case";
    intake_grid_title: "上报事件", "Report an event";
    resident_new_title: "我要反映", "Submit a request";
    resident_new_intro: "请写明事情发生的地点、经过和您的诉求。提交后会生成诉求编号，可随时查看办理进度。",
        "Say where it is, what happened and what you ask for. You get a case number and can follow it here.";
    f_ledger: "台账类型", "Ledger";
    f_kind: "反映类型", "Kind of request";
    f_category: "分类", "Category";
    f_channel: "来源渠道", "Channel";
    f_urgency: "紧急程度", "Urgency";
    f_title: "标题", "Title";
    f_text: "内容", "Details";
    f_area: "所属区域", "Area";
    f_contact: "反映人联系方式（选填）", "Reporter's contact (optional)";
    f_contact_name: "姓名", "Name";
    f_contact_phone: "电话", "Phone";
    f_location: "位置（选填，WGS-84）", "Location (optional, WGS-84)";
    f_lon: "经度", "Longitude";
    f_lat: "纬度", "Latitude";
    use_my_location: "使用当前位置", "Use my location";
    choose: "请选择", "Choose";
    submit: "提交", "Submit";
    title_hint: "一句话概括，如：小区路灯不亮", "One line, e.g. street light out";
    d_ledger: "台账", "Ledger";
    d_category: "分类", "Category";
    d_channel: "来源", "Channel";
    d_urgency: "紧急程度", "Urgency";
    d_area: "发生地", "Where";
    d_location: "坐标", "Coordinates";
    d_handling: "承办中心", "Responsible centre";
    d_lead: "主办单位", "Lead organisation";
    d_co: "协办单位", "Co-organisations";
    d_reporter: "反映人", "Reporter";
    d_anonymous: "匿名", "Anonymous";
    d_account: "群众账号", "Resident account";
    d_created: "登记时间", "Registered";
    d_sign_by: "签收期限", "Sign by";
    d_handle_by: "办理期限", "Handle by";
    d_revisit_by: "回访期限", "Revisit by";
    d_due: "当前环节期限", "Current deadline";
    d_expected: "预计办结", "Expected by";
    d_instruction: "领导批示", "Leader's instruction";
    d_result: "办理结果", "Result";
    d_satisfaction: "群众评价", "Resident's rating";
    d_supervision: "督办", "Supervision";
    d_extension: "待审批延期", "Extension asked";
    d_escalation: "已申请提级", "Escalation asked";
    d_redo: "重办次数", "Redos";
    d_returns: "退回次数", "Returns";
    d_merged_into: "已合并至", "Merged into";
    d_closed_level: "办结层级", "Closed at level";
    d_closed: "销号时间", "Closed";
    d_text: "诉求内容", "Request";
    timeline: "办理过程", "History";
    actions: "可办理操作", "What you can do";
    no_actions: "当前环节无需您操作。", "Nothing for you to do at this stage.";
    more_actions: "更多操作", "More actions";
    done_prefix: "已完成：", "Done: ";
    yes: "是", "Yes";
    accept_yes: "同意受理", "Accept";
    accept_no: "不予受理", "Do not accept";
    grant_yes: "同意延期", "Grant";
    grant_no: "不同意", "Refuse";
    merge_placeholder: "如 2026-0421-000153", "e.g. 2026-0421-000153";
    merge_lookup_none: "范围内没有此编号的诉求", "No case with this number in your scope";
    by_platform: "系统", "Platform";
    ev_lead: "主办", "Lead";
    ev_co: "协办", "Co";
    ev_to: "下派至", "To";
    ev_handling: "承办中心变为", "Now handled by";
    ev_days: "申请延期", "Asked for";
    ev_outcome: "结果", "Outcome";
    ev_rating: "评价", "Rating";
    ev_level: "级别", "Level";
    ev_merged: "合并至", "Into";
    resident_home: "我的诉求", "My requests";
    resident_intro: "您提交的诉求都在这里，可查看办理进度，办结后请对结果进行评价。",
        "Your requests are listed here; follow their progress and rate the result when done.";
    new_request: "我要反映", "New request";
    follow_title: "诉求进度查询", "Follow a request";
    follow_intro: "电话或来访反映的诉求，凭诉求编号和登记时留下的电话即可查询办理进度、对办理结果进行评价。",
        "For requests made by phone or in person: enter the case number and the phone you gave to see progress and rate the result.";
    follow_number: "诉求编号", "Case number";
    follow_phone: "联系电话", "Phone";
    follow_go: "查询", "Look up";
    follow_not_found: "未找到与该编号和电话对应的诉求，请核对后重试。", "No request matches this number and phone; check and try again.";
    rate_title: "请对办理结果进行评价", "Please rate the result";
    rate_go: "提交评价", "Send rating";
    rate_thanks: "感谢您的评价！", "Thank you for your rating!";
    rated: "您的评价", "Your rating";
    f_note: "意见（选填）", "Comment (optional)";
    nav_disputes: "矛盾纠纷", "Disputes";
    nav_board: "统计看板", "Board";
    board_title: "综治中心工作台", "Centre board";
    board_screen: "社会治理指挥大屏", "Command centre screen";
    board_up: "返回上级", "Up one level";
    board_open: "在办诉求", "Open cases";
    board_overdue: "超期未办结", "Overdue";
    board_supervised: "督办中", "Supervised";
    board_today: "今日", "Today";
    board_week: "本周", "This week";
    board_month: "本月", "This month";
    board_trend: "近30日受理与办结", "Received and closed, last 30 days";
    board_received: "受理", "Received";
    board_closed: "办结", "Closed";
    board_by_area: "本月各区域", "This month by area";
    board_by_ledger: "本月各台账", "This month by ledger";
    board_ledger: "台账", "Ledger";
    board_definitions: "指标口径", "Definitions of the figures";
    nav_reports: "统计报表", "Reports";
    case_repeat: "重复诉求", "Repeat request";
    nav_assessment: "考评", "Assessment";
    asm_title: "考评排名", "Assessment";
    asm_plan: "考评方案", "Assessment plan";
    asm_plan_help: "方案为 JSON：indicators（指标：code、name、source 为 {\"figure\": 指标名} 或 \"manual\"、weight 分值、target 目标值、scoring 规则 proportional、stepped 或 lower_better）、vetoes（一票否决项）、min_cases（参与排名的最少件数）。保存前会逐项检查。",
        "The plan is JSON: indicators (code, name, source {\"figure\": name} or \"manual\", weight, target, scoring proportional, stepped or lower_better), vetoes, min_cases (fewest cases to be ranked). It is checked before it is kept.";
    asm_min_cases: "参与排名最少件数", "Fewest cases to be ranked";
    asm_rank: "名次", "Rank";
    asm_score: "得分", "Score";
    asm_veto: "一票否决", "Veto";
    asm_too_few: "件数不足不排名", "Too few cases to rank";
    asm_indicator: "指标", "Indicator";
    asm_value: "数值", "Value";
    asm_points: "得分/分值", "Points";
    asm_why: "说明", "Why";
    asm_deduction: "扣分", "Deduction";
    asm_manual: "人工评分项", "Manual value";
    asm_record: "记录扣分、人工评分或否决事项", "Record a deduction, manual value or veto";
    asm_record_kind: "类别", "Kind";
    asm_code: "指标或否决项", "Indicator or veto item";
    asm_amount: "分值或数值", "Points or value";
    board_alerts: "预警：本周诉求异常增多", "Early warning: unusual rises this week";
    board_alert_count: "本周", "this week";
    board_alert_expected: "按历史预计", "expected from history";
    board_alert_limit: "控制上限", "control limit";
    rep_title: "统计报表", "Reports";
    rep_saved: "已生成的定期报表", "Reports made so far";
    rep_none: "暂无（每期结束后自动生成市级和各区县报表）", "None yet (the city's and each district's are made when a period ends)";
    rep_kind: "报表类型", "Kind";
    rep_start: "期初日期", "First day of the period";
    rep_start_hint: "留空为本期（本周、本月、本季度、本年）。", "Leave empty for the current period.";
    rep_show: "生成报表", "Show the report";
    rep_print: "打印", "Print";
    rep_figures: "一、主要指标", "1. Figures";
    rep_figure: "指标", "Figure";
    rep_now: "本期", "This period";
    rep_before: "上期", "Period before";
    rep_last_year: "去年同期", "A year earlier";
    rep_change: "环比", "Change";
    rep_change_year: "同比", "Year on year";
    rep_categories: "二、诉求类别前十", "2. Top categories";
    rep_hot_spots: "三、热点区域", "3. Hot spots";
    rep_disputes: "四、矛盾纠纷", "4. Disputes";
    rep_name: "名称", "Name";
    rep_share: "占比", "Share";
    rep_satisfaction: "满意率", "Satisfaction";
    nav_mediation: "调解组织", "Mediation registry";
    nav_search: "全文检索", "Search";
    search_q: "关键词或编号", "Words or number";
    search_kind_all: "诉求和纠纷", "Cases and disputes";
    search_kind_case: "诉求", "Cases";
    search_kind_dispute: "矛盾纠纷", "Disputes";
    search_state_any: "全部状态", "Any state";
    search_from: "登记起", "Registered from";
    search_to: "登记止", "Registered to";
    search_submit: "检索", "Search";
    search_none: "没有找到匹配的诉求或纠纷", "Nothing matches";
    search_partial: "检索索引正在重建，结果可能不完整。", "The search index is being rebuilt; results may be incomplete.";
    search_count: "共 {total} 条", "{total} found";
    dsp_title: "矛盾纠纷调处", "Dispute mediation";
    dsp_mine: "我的纠纷", "My disputes";
    dsp_sessions_due: "待调解", "Sessions due";
    dsp_escalations: "待接收的上交纠纷", "Escalations waiting";
    dsp_follow_ups: "待回访的协议", "Agreement follow-ups";
    dsp_all: "全部纠纷", "All disputes";
    dsp_new: "登记纠纷", "Register a dispute";
    dsp_screenings: "排查", "Screening";
    dsp_figures: "纠纷统计", "Figures";
    dsp_empty: "暂无纠纷", "No disputes";
    dsp_col_type: "类型", "Type";
    dsp_col_risk: "风险", "Risk";
    dsp_col_tier: "调解层级", "Tier";
    dsp_col_due: "期限", "Due";
    dsp_f_title: "纠纷标题", "Title";
    dsp_f_facts: "纠纷主要事实、争议事项", "Main facts and matters in dispute";
    dsp_f_type: "纠纷类型", "Dispute type";
    dsp_f_risk: "风险等级", "Risk level";
    dsp_f_source: "纠纷来源", "Source";
    dsp_f_area: "纠纷发生地", "Where";
    dsp_f_tier: "首次调解层级（不选则按发生地）", "First tier (default: from the place)";
    dsp_f_money: "涉及金额（元）", "Money involved (yuan)";
    dsp_f_kind: "调解类型", "Kind of mediation";
    dsp_f_org: "调解组织", "Mediation organisation";
    dsp_f_mediators: "调解员", "Mediators";
    dsp_f_court_ref: "法院委派号（法院诉前委派时填写）", "Court referral number (court referrals)";
    dsp_parties: "当事人", "Parties";
    dsp_f_party_role: "身份", "Side";
    dsp_f_party_kind: "类别", "Kind";
    dsp_f_party_name: "姓名或名称", "Name";
    dsp_f_party_id: "身份证号或统一社会信用代码", "Identity number or credit code";
    dsp_f_party_phone: "电话", "Phone";
    dsp_f_party_address: "住址", "Address";
    dsp_from_case: "来源诉求", "From case";
    dsp_session: "记录调解", "Record a session";
    dsp_f_held_on: "调解日期", "Session date";
    dsp_f_method: "调解方式", "Method";
    dsp_f_present: "到场当事人", "Parties present";
    dsp_f_notes: "调解情况", "What happened";
    dsp_f_outcome: "调解结果", "Outcome";
    dsp_f_terms: "协议内容（每行一条，达成协议时填写）", "Terms (one per line, for an agreement)";
    dsp_f_performance: "履行方式、期限（达成协议时填写）", "How and by when (for an agreement)";
    dsp_f_next_on: "下次调解日期（选填）", "Next session (optional)";
    dsp_assign: "指派调解组织和调解员", "Assign organisation and mediators";
    dsp_escalate: "上交上一级调解", "Pass up to the next tier";
    dsp_refer: "移交诉讼、仲裁或行政机关", "Refer to court, arbitration or an authority";
    dsp_f_refer_to: "移交去向", "Refer to";
    dsp_f_reason: "理由", "Reason";
    dsp_follow_up: "协议履行回访", "Follow-up visit";
    dsp_f_visited_on: "回访日期", "Visit date";
    dsp_f_result: "履行情况", "Performance";
    dsp_close: "结案（撤回或自行和解）", "Close (withdrawn or settled)";
    dsp_agreement: "调解协议书", "Mediation agreement";
    dsp_print: "打印版", "Printable";
    dsp_timeline: "调解过程", "History";
    dsp_details: "纠纷信息", "Details";
    dsp_attempts: "本级已调解次数", "Sessions at this tier";
    dsp_sessions_total: "累计调解次数", "Sessions in all";
    dsp_session_due: "下次调解期限", "Next session due";
    dsp_follow_up_due: "回访期限", "Follow-up due";
    dsp_referred_to: "移交去向", "Referred to";
    dsp_to_dispute: "转为矛盾纠纷", "Turn into a dispute";
    dsp_from_base: "基础数据", "On file";
    dsp_is_dispute: "已转为矛盾纠纷", "Became dispute";
    dsp_registered: "登记", "Registered";
    dsp_session_n: "调解", "Session";
    scr_title: "矛盾纠纷排查", "Dispute screening";
    scr_status: "排查情况（村、社区每周，乡镇、街道每月）", "Screening rhythm (villages weekly, townships monthly)";
    scr_area: "排查单位", "Area";
    scr_rhythm: "频次", "Rhythm";
    scr_weekly: "每周", "Weekly";
    scr_monthly: "每月", "Monthly";
    scr_last: "最近排查", "Last screened";
    scr_missed: "未排查的周期", "Periods missed";
    scr_overdue: "逾期未排查", "Overdue";
    scr_due_now: "本期待排查", "Due this period";
    scr_ok: "本期已排查", "Done this period";
    scr_record: "记录排查", "Record a screening";
    scr_held_on: "排查日期", "Date";
    scr_participants: "参加人员", "Participants";
    scr_notes: "排查情况", "What was screened";
    scr_finding: "发现的纠纷（没有可不填）", "A dispute found (leave empty if none)";
    scr_recent: "最近的排查记录", "Recent screenings";
    scr_found: "发现纠纷", "Disputes found";
    fig_title: "矛盾纠纷统计", "Dispute figures";
    fig_from: "开始日期", "From";
    fig_to: "结束日期", "To";
    fig_show: "查询", "Show";
    fig_found: "发现", "Found";
    fig_mediated: "调解", "Mediated";
    fig_agreed: "调解成功", "Agreed";
    fig_success: "成功率", "Success rate";
    fig_share_village: "村（社区）化解占比", "Share settled in villages";
    fig_share_township: "乡镇（街道）化解占比", "Share settled in townships";
    fig_share_county: "县级化解占比", "Share settled at county";
    fig_money: "涉及金额（元）", "Money involved (yuan)";
    fig_escalated: "上交", "Escalated";
    fig_referred: "移交", "Referred";
    fig_definitions: "口径：发现＝期内登记的纠纷；调解＝期内首次调解的纠纷；调解成功＝期内首次达成协议的纠纷（计入达成协议的层级）；成功率＝调解成功÷调解；各级化解占比＝该级调解成功÷调解成功；涉及金额＝期内发现纠纷的涉及金额之和。",
        "Definitions: found = disputes registered in the period; mediated = disputes first mediated in the period; agreed = disputes whose first agreement was reached in the period (at the tier that reached it); success rate = agreed ÷ mediated; share at a tier = agreed there ÷ agreed; money = money involved of the disputes found.";
    med_title: "调解组织和调解员", "Mediation organisations and mediators";
    med_add_org: "新增调解组织", "Add an organisation";
    med_add_mediator: "新增调解员", "Add a mediator";
    med_f_name: "名称", "Name";
    med_f_area: "所在区域（村社区、乡镇街道或区县）", "Area (community, street or district)";
    med_f_specialities: "擅长领域", "Specialities";
    med_f_phone: "电话", "Phone";
    med_f_org: "所属组织", "Organisation";
    med_f_user: "登录账号（选填）", "Login account (optional)";
    med_f_mediator_name: "姓名", "Name";
}

/// The strings of a language.
pub fn text(lang: Lang) -> &'static Text {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// The label of a move's button and form, by wire name.
pub fn move_label(lang: Lang, name: &str) -> &'static str {
    let (zh, en) = match name {
        "register" => ("登记", "Register"),
        "request_review" => ("提请阅批", "Ask for review"),
        "review" => ("阅批", "Review"),
        "accept" => ("受理", "Accept"),
        "not_accept" => ("不予受理", "Do not accept"),
        "merge" => ("合并重复诉求", "Merge into another case"),
        "dispatch" => ("交办", "Dispatch"),
        "sign" => ("签收", "Sign for"),
        "return" => ("退回", "Return as misrouted"),
        "request_extension" => ("申请延期", "Ask for more time"),
        "decide_extension" => ("审批延期", "Decide on extension"),
        "request_escalation" => ("申请提级", "Ask for escalation"),
        "escalate" => ("提级", "Escalate"),
        "delegate" => ("下派", "Delegate"),
        "self_handle" => ("网格自办", "Handle on the spot"),
        "report_result" => ("反馈结果", "Report the result"),
        "verify" => ("把关通过", "Verify"),
        "send_back" => ("把关退回", "Send back"),
        "record_revisit" => ("回访评价", "Record the revisit"),
        "redo" => ("重办", "Redo"),
        "close" => ("销号", "Close"),
        "archive" => ("归档", "Archive"),
        "supervise" => ("督办", "Supervise"),
        "urge" => ("催办", "Urge"),
        "comment" => ("补充说明", "Add information"),
        _ => ("", ""),
    };
    lang.pick(zh, en)
}

/// The label of a resident's own moves, worded for them.
pub fn resident_move_label(lang: Lang, name: &str) -> &'static str {
    match name {
        "record_revisit" => lang.pick("评价办理结果", "Rate the result"),
        other => move_label(lang, other),
    }
}

/// The label of a recorded move in the history.
pub fn event_label(lang: Lang, mv: &Move) -> &'static str {
    match lang {
        Lang::Zh => mv.label_zh(),
        Lang::En => match mv {
            Move::Register(_) => "Registered",
            Move::RequestReview { .. } => "Review asked",
            Move::Review { accept: true, .. } => "Reviewed: accept",
            Move::Review { accept: false, .. } => "Reviewed: do not accept",
            Move::Accept { .. } => "Accepted, reporter told",
            Move::NotAccept { .. } => "Not accepted",
            Move::Merge { .. } => "Merged",
            Move::Dispatch { .. } => "Dispatched",
            Move::Sign => "Signed for",
            Move::Return { .. } => "Returned as misrouted",
            Move::RequestExtension { .. } => "Extension asked",
            Move::DecideExtension { grant: true, .. } => "Extension granted",
            Move::DecideExtension { grant: false, .. } => "Extension refused",
            Move::RequestEscalation { .. } => "Escalation asked",
            Move::Escalate { .. } => "Escalated",
            Move::Delegate { .. } => "Delegated",
            Move::SelfHandle { .. } => "Handled on the spot",
            Move::ReportResult { .. } => "Result reported",
            Move::Verify { .. } => "Verified",
            Move::SendBack { .. } => "Sent back",
            Move::RecordRevisit { .. } => "Revisit recorded",
            Move::Redo { .. } => "Redo ordered",
            Move::Close { .. } => "Closed",
            Move::Archive => "Archived",
            Move::Comment { .. } => "Information added",
            Move::Supervise { .. } => "Put under supervision",
            Move::Urge { .. } => "Urged",
        },
    }
}

/// The label of a field of a move form.
pub fn field_label(lang: Lang, field: &str) -> &'static str {
    let (zh, en) = match field {
        "note" => ("备注", "Note"),
        "reason" => ("理由", "Reason"),
        "instruction" => ("批示意见", "Instruction"),
        "accept" => ("阅批结论", "Decision"),
        "grant" => ("审批结论", "Decision"),
        "lead" => ("主办单位", "Lead organisation"),
        "co" => ("协办单位（可多选）", "Co-organisations (any number)"),
        "days" => ("延期天数（工作日）", "Days (working days)"),
        "to" => ("下派区域", "Area"),
        "outcome" => ("办理结果", "Outcome"),
        "text" => ("办理情况", "What was done"),
        "satisfaction" => ("满意度", "Satisfaction"),
        "level" => ("督办级别", "Level"),
        "into_number" => ("合并到的诉求编号", "Number of the case to merge into"),
        _ => ("", ""),
    };
    lang.pick(zh, en)
}

/// `label：value` with the language's colon.
pub fn labelled(t: &Text, label: &str, value: impl std::fmt::Display) -> String {
    format!("{label}{}{value}", t.colon)
}

/// Fills `{name}` placeholders of a text.
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = template.to_owned();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_move_has_labels_in_both_languages() {
        for name in Move::NAMES {
            assert!(!move_label(Lang::Zh, name).is_empty(), "{name}");
            assert!(!move_label(Lang::En, name).is_empty(), "{name}");
        }
        assert_eq!(resident_move_label(Lang::Zh, "record_revisit"), "评价办理结果");
        assert_eq!(event_label(Lang::Zh, &Move::Sign), "签收");
        assert_eq!(event_label(Lang::En, &Move::Sign), "Signed for");
    }

    #[test]
    fn placeholders_are_filled() {
        let s = fill(ZH.page_of, &[("total", "12".into()), ("page", "1".into()), ("pages", "2".into())]);
        assert_eq!(s, "共 12 件，第 1/2 页");
    }
}
