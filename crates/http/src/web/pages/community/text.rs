//! The strings of the public community page in Chinese and English, defined with the same macro
//! as [`crate::web::text::Text`], so a missing translation is a compile error here too.

use crate::i18n::Lang;
use crate::web::text::texts;

texts! {
    /// The public page's strings in one language. Each field's documentation is its Chinese text.
    CommunityText, ZH, EN;
    nav: "社区公开", "Community noticeboard";
    title_suffix: "公开栏", "noticeboard";
    intro: "本页公开本辖区群众诉求的办理情况、办理成效和议事协商结果，数据与各级指挥中心看到的同一口径。",
        "How this area's requests are being answered, how well, and what its residents' deliberation decided: the same figures the centres see.";
    privacy: "为保护个人信息，本页不显示诉求的编号、标题、内容和反映人，只显示类别、日期和办理情况。查询本人诉求请用",
        "To protect personal data this page shows no request's number, title, text or reporter, only its category, dates and progress. To follow your own request use";
    follow_link: "办件查询", "Follow a request";
    full_stop: "。", ".";
    pick_area: "选择区域", "Choose an area";
    areas_below: "下辖区域", "Areas below";
    col_area: "区域", "Area";
    now_open: "正在办理", "Being handled";
    now_overdue: "其中超期", "Of which overdue";
    results: "办理成效", "How requests are answered";
    period_month: "本月", "This month";
    period_year: "近12个月", "Last 12 months";
    col_figure: "指标", "Figure";
    definitions: "指标口径", "Definitions";
    open_cases: "办理中的诉求", "Requests being handled";
    closed_cases: "近{n}天办结的诉求", "Requests finished in the last {n} days";
    none: "暂无", "None";
    col_registered: "登记日期", "Registered";
    col_category: "类别", "Category";
    col_ledger: "类型", "Kind";
    col_state: "状态", "State";
    col_due: "本环节时限", "Stage due";
    col_closed: "办结日期", "Finished";
    col_result: "办理结果", "Result";
    col_on_time: "按时办结", "On time";
    col_rating: "群众评价", "Rating";
    col_level: "办结层级", "Finished at";
    overdue: "已超期", "Overdue";
    yes: "是", "Yes";
    no: "否", "No";
    list_more: "仅显示最近{n}件。", "Only the latest {n} are shown.";
    proposals: "议事协商", "Community deliberation";
    no_proposals: "暂无议事事项", "No proposals";
    procedure: "程序", "Procedure";
    made_on: "登记日期", "Made on";
    meetings: "会议表决", "Votes";
    meeting_count: "{day} {stage}：应到{members}人，实到{present}人；赞成{for}票，反对{against}票，弃权{abstain}票",
        "{day} {stage}: {present} of {members} members present; {for} for, {against} against, {abstain} abstaining";
    colon: "：", ": ";
    passed: "通过", "Passed";
    failed: "未通过", "Not passed";
    published: "公开内容", "Published";
    published_on: "公开日期", "Published on";
}

/// The strings of a language.
pub fn text(lang: Lang) -> &'static CommunityText {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}
