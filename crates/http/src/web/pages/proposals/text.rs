//! The strings of the deliberation pages in Chinese and English, defined with the same macro as
//! [`crate::web::text::Text`], so a missing translation is a compile error here too.

use crate::i18n::Lang;
use crate::web::text::texts;

texts! {
    /// The deliberation pages' strings in one language. Each field's documentation is its Chinese text.
    DelibText, ZH, EN;
    nav: "议事协商", "Deliberation";
    title: "议事协商", "Community deliberation";
    intro: "村（社区）重大事项按程序议事协商：村按“四议两公开”，社区按“一委三会”。决议和实施结果向群众公开，群众可以查看进展、发表意见。",
        "Important matters of a village or community are deliberated by procedure (villages: four deliberations and two publications; communities: one committee and three councils). Resolutions and results are made public; residents follow them and comment.";
    new_proposal: "新建议事事项", "New proposal";
    empty: "暂无议事事项", "No proposals";
    area: "村（社区）", "Village or community";
    all_areas: "全部", "All";
    all_statuses: "全部状态", "Any status";
    status: "状态", "Status";
    show: "查询", "Show";
    col_number: "编号", "Number";
    col_title: "议题", "Title";
    col_stage: "当前环节", "Stage";
    col_procedure: "程序", "Procedure";
    col_updated: "更新时间", "Updated";
    f_title: "议题", "Title";
    f_content: "议事内容（提议事项、理由和初步方案）", "What is proposed, why, and a first plan";
    f_area: "所属村（社区）", "Village or community";
    f_procedure: "议事程序", "Procedure";
    procedure_default: "按区域类型（村：四议两公开；社区：一委三会）", "By the area (village: four deliberations; community: one committee, three councils)";
    from_case: "来自诉求", "From case";
    from_comment: "来自群众意见", "From a resident's comment on";
    submit_new: "提交议事事项", "Make the proposal";
    where_it_stands: "当前进展", "Where it stands";
    stages: "议事程序", "Procedure";
    stage_done: "已完成", "Done";
    stage_current: "进行中", "Now";
    stage_pending: "待进行", "To come";
    stage_stopped: "止于此环节", "Stopped here";
    record_meeting: "记录会议表决", "Record the meeting";
    rule: "议事规则", "Rule";
    f_held_at: "会议时间", "Held at";
    f_members: "应到人数（有表决权的成员）", "Members entitled to vote";
    f_attendees: "到会人员（每行一人，或用顿号分隔）", "Members present (one per line, or separated by commas)";
    f_observers: "列席人员（选填，不计入到会人数）", "Observers without a vote (optional, not counted)";
    f_for: "赞成票", "For";
    f_against: "反对票", "Against";
    f_abstain: "弃权票", "Abstaining";
    f_minutes: "会议记录", "Minutes";
    publish: "发布公开", "Publish";
    f_doc_title: "公告标题（选填）", "Heading (optional)";
    f_doc_text: "公开内容", "Text as published";
    withdraw: "撤回议事事项", "Withdraw the proposal";
    f_reason: "撤回理由", "Why";
    attendance: "应到{members}人，实到{present}人（到会须{quorum}人）", "{present} of {members} members present ({quorum} needed to sit)";
    count: "赞成{for}票，反对{against}票，弃权{abstain}票（通过须赞成{needed}票）", "{for} for, {against} against, {abstain} abstaining ({needed} needed to pass)";
    passed: "表决通过", "Passed";
    failed: "表决未通过", "Not passed";
    returned_to: "退回“{stage}”", "Returned to “{stage}”";
    stopped: "议事终止", "Ended";
    stays: "留在本环节，可再次表决", "Stays at this stage for another vote";
    attendee_list: "到会人员", "Members present";
    observer_list: "列席人员", "Observers";
    minutes: "会议记录", "Minutes";
    published_at: "公开时间", "Published";
    redacted: "到会人员名单和会议记录由村（社区）存档备查，不在此公开。", "Attendance lists and minutes are kept on file by the village or community and not shown here.";
    comments: "群众意见", "Comments";
    no_comments: "暂无意见", "No comments yet";
    comment: "发表意见", "Comment";
    f_comment: "您的意见或建议", "Your comment or suggestion";
    comments_closed: "该事项已结束，不再接受意见。", "This matter is closed to comments.";
    mine: "（我）", " (me)";
    to_proposal: "转为议事事项", "Make it a proposal";
    became: "已转为议事事项", "Became proposal";
    history: "操作记录", "History";
    proposer: "登记人", "Made by";
    origin: "来源", "Origin";
    procedure: "议事程序", "Procedure";
    created: "登记时间", "Made";
    finished: "结束时间", "Ended";
    no_actions: "当前没有需要您办理的环节。", "Nothing for you to do at this stage.";
    resident_hint: "您可以查看每个环节的进展和公开内容，并在下方“群众意见”中发表意见。", "Follow each stage and what is published, and comment under “Comments” below.";
    case_is: "已转为议事事项", "Became proposal";
    case_to: "转为议事事项", "Make it a proposal";
    made: "登记议事事项", "Proposal made";
}

/// The strings of a language.
pub fn text(lang: Lang) -> &'static DelibText {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}
