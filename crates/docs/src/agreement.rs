//! The people's mediation agreement (人民调解协议书), in the form of 人民调解法 art. 29: HTML for the screen and the
//! browser's print dialog, PDF for filing, DOCX for offices that edit in Word or WPS.
//!
//! All three outputs print the same text, built once by [`Printed::of`]; only the layout differs.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::{DocError, Fonts, render_pdf};

/// The Typst template of the agreement; it reads [`crate::DATA_PATH`], shaped as [`Printed`].
const TEMPLATE: &str = include_str!("../templates/agreement.typ");

/// The title printed on top of every agreement.
pub const TITLE: &str = "人民调解协议书";

/// One party to the agreement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    /// The party's role, e.g. "申请人", "被申请人", "当事人".
    pub role: String,
    /// Name of the person or organisation.
    pub name: String,
    /// "自然人" or "法人/组织".
    pub kind: String,
    /// Masked identity number (natural person) or unified social credit code (organisation).
    pub id_masked: Option<String>,
    /// Address (住址 / 住所).
    pub address: Option<String>,
    /// Masked telephone number.
    pub phone_masked: Option<String>,
}

/// A mediation agreement as it is printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agreement {
    /// The agreement number, e.g. "示范市〔2026〕调字第 000123 号".
    pub number: String,
    /// The mediation organisation, e.g. "城关街道人民调解委员会".
    pub organisation: String,
    /// The kind of mediation, e.g. "人民调解".
    pub mediation_kind: String,
    /// The dispute type, e.g. "邻里纠纷".
    pub dispute_type: String,
    /// The parties, in the order they are printed.
    pub parties: Vec<Party>,
    /// 纠纷主要事实、争议事项.
    pub facts: String,
    /// The agreed terms (经调解，自愿达成如下协议), printed numbered in this order.
    pub terms: Vec<String>,
    /// 履行方式、时限.
    pub performance: String,
    /// The amount involved, already formatted, e.g. "12,000.00".
    pub money_yuan: Option<String>,
    /// The mediators' names.
    pub mediators: Vec<String>,
    /// The date of the agreement.
    pub date: NaiveDate,
    /// Where the mediation took place.
    pub place: Option<String>,
}

/// The printable text of an agreement: every label and sentence decided here, so that HTML, PDF and DOCX agree. This
/// is also the JSON the Typst template reads.
#[derive(Serialize, Debug)]
struct Printed {
    title: &'static str,
    labels: Labels,
    number: String,
    organisation: String,
    /// "城关街道人民调解委员会（印章）".
    seal: String,
    /// "纠纷类型：邻里纠纷", "调解方式：人民调解", "调解地点：…", "涉及金额：人民币 12,000.00 元".
    meta: Vec<String>,
    parties: Vec<PrintedParty>,
    facts: String,
    terms: Vec<PrintedTerm>,
    performance: String,
    /// 本协议一式X份，当事人、人民调解委员会各持一份。
    copies: String,
    mediators: String,
    date: String,
}

/// Fixed labels of the form.
#[derive(Serialize, Debug)]
struct Labels {
    organisation: &'static str,
    facts: &'static str,
    terms: &'static str,
    performance: &'static str,
    /// Follows the party's role: "申请人（签名或盖章）：".
    sign: &'static str,
    mediators: &'static str,
}

const LABELS: Labels = Labels {
    organisation: ORGANISATION_LABEL,
    facts: FACTS_HEADING,
    terms: TERMS_HEADING,
    performance: PERFORMANCE_HEADING,
    sign: SIGN_SUFFIX,
    mediators: MEDIATORS_LABEL,
};

#[derive(Serialize, Debug)]
struct PrintedParty {
    role: String,
    name: String,
    /// "自然人，身份证件号码：…，住址：…，联系电话：…" (the fields that are present).
    details: String,
}

#[derive(Serialize, Debug)]
struct PrintedTerm {
    label: String,
    text: String,
}

const ORGANISATION_LABEL: &str = "调解组织：";
const FACTS_HEADING: &str = "纠纷主要事实、争议事项：";
const TERMS_HEADING: &str = "经调解，自愿达成如下协议：";
const PERFORMANCE_HEADING: &str = "履行方式、时限：";
const SIGN_SUFFIX: &str = "（签名或盖章）：";
const MEDIATORS_LABEL: &str = "调解员签名：";

impl Printed {
    fn of(a: &Agreement) -> Printed {
        let mut meta = vec![format!("纠纷类型：{}", a.dispute_type), format!("调解方式：{}", a.mediation_kind)];
        if let Some(place) = a.place.as_deref().filter(|p| !p.trim().is_empty()) {
            meta.push(format!("调解地点：{place}"));
        }
        if let Some(money) = a.money_yuan.as_deref().filter(|m| !m.trim().is_empty()) {
            meta.push(format!("涉及金额：人民币 {money} 元"));
        }
        let parties = a
            .parties
            .iter()
            .map(|p| {
                let organisation = p.kind.contains('法') || p.kind.contains("组织");
                let mut details = vec![p.kind.clone()];
                let present = |v: &Option<String>| v.as_deref().filter(|s| !s.trim().is_empty()).map(str::to_owned);
                if let Some(id) = present(&p.id_masked) {
                    details.push(format!("{}：{id}", if organisation { "统一社会信用代码" } else { "身份证件号码" }));
                }
                if let Some(address) = present(&p.address) {
                    details.push(format!("{}：{address}", if organisation { "住所" } else { "住址" }));
                }
                if let Some(phone) = present(&p.phone_masked) {
                    details.push(format!("联系电话：{phone}"));
                }
                PrintedParty { role: p.role.clone(), name: p.name.clone(), details: details.join("，") }
            })
            .collect();
        let terms = a
            .terms
            .iter()
            .enumerate()
            .map(|(i, t)| PrintedTerm { label: format!("{}、", chinese_number(i + 1)), text: t.clone() })
            .collect();
        Printed {
            title: TITLE,
            labels: LABELS,
            number: a.number.clone(),
            organisation: a.organisation.clone(),
            seal: format!("{}（印章）", a.organisation),
            meta,
            parties,
            facts: a.facts.clone(),
            terms,
            performance: a.performance.clone(),
            copies: format!("本协议一式{}份，当事人、人民调解委员会各持一份。", chinese_number(a.parties.len() + 1)),
            mediators: a.mediators.join("、"),
            date: chinese_date(a.date),
        }
    }
}

/// A date as printed on official documents: "2026年11月23日".
pub fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A count in Chinese numerals as used in "一式三份" and "一、": 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五.
/// Numbers of 1000 and more are written in Arabic digits.
pub fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_owned(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[n % 10] }),
        20..=99 => format!(
            "{}十{}",
            DIGITS[n / 10],
            match n % 10 {
                0 => "",
                d => DIGITS[d],
            }
        ),
        100..=999 => {
            let rest = n % 100;
            let tail = match rest {
                0 => String::new(),
                1..=9 => format!("零{}", DIGITS[rest]),
                10..=19 => format!("一{}", chinese_number(rest)),
                _ => chinese_number(rest),
            };
            format!("{}百{tail}", DIGITS[n / 100])
        }
        _ => n.to_string(),
    }
}

/// The agreement as a standalone printable HTML page: inline CSS (A4, `@media print`), no external resources, every
/// piece of text HTML-escaped.
pub fn agreement_html(a: &Agreement) -> String {
    let p = Printed::of(a);
    let mut h = String::with_capacity(8 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str(&format!("<title>{} {}</title>\n", esc(p.title), esc(&p.number)));
    h.push_str(HTML_STYLE);
    h.push_str("</head>\n<body>\n<main class=\"sheet\">\n");
    h.push_str(&format!("<h1>{}</h1>\n", esc(p.title)));
    h.push_str(&format!("<p class=\"number\">{}</p>\n", esc(&p.number)));
    h.push_str(&format!("<p class=\"meta\">{}{}</p>\n", esc(ORGANISATION_LABEL), esc(&p.organisation)));
    h.push_str(&format!(
        "<p class=\"meta\">{}</p>\n",
        p.meta.iter().map(|m| esc(m)).collect::<Vec<_>>().join("&emsp;&emsp;")
    ));
    h.push_str("<section class=\"parties\">\n");
    for party in &p.parties {
        h.push_str(&format!(
            "<p class=\"party\"><span class=\"role\">{}：</span>{}，{}</p>\n",
            esc(&party.role),
            esc(&party.name),
            esc(&party.details)
        ));
    }
    h.push_str("</section>\n");
    h.push_str(&format!("<h2>{}</h2>\n", esc(FACTS_HEADING)));
    for line in p.facts.lines().filter(|l| !l.trim().is_empty()) {
        h.push_str(&format!("<p class=\"body\">{}</p>\n", esc(line)));
    }
    h.push_str(&format!("<h2>{}</h2>\n<ol class=\"terms\">\n", esc(TERMS_HEADING)));
    for term in &p.terms {
        h.push_str(&format!("<li>{}{}</li>\n", esc(&term.label), esc(&term.text).replace('\n', "<br>")));
    }
    h.push_str("</ol>\n");
    h.push_str(&format!("<h2>{}</h2>\n", esc(PERFORMANCE_HEADING)));
    for line in p.performance.lines().filter(|l| !l.trim().is_empty()) {
        h.push_str(&format!("<p class=\"body\">{}</p>\n", esc(line)));
    }
    h.push_str(&format!("<p class=\"body\">{}</p>\n", esc(&p.copies)));
    h.push_str("<section class=\"signatures\">\n");
    for party in &p.parties {
        h.push_str(&format!(
            "<p class=\"sign\">{}{}<span class=\"line\"></span><span class=\"who\">（{}）</span></p>\n",
            esc(&party.role),
            esc(SIGN_SUFFIX),
            esc(&party.name)
        ));
    }
    h.push_str(&format!(
        "<p class=\"sign\">{}<span class=\"line\"></span><span class=\"who\">（{}）</span></p>\n",
        esc(MEDIATORS_LABEL),
        esc(&p.mediators)
    ));
    h.push_str(&format!("<div class=\"seal\"><p>{}</p><p>{}</p></div>\n", esc(&p.seal), esc(&p.date)));
    h.push_str("</section>\n</main>\n</body>\n</html>\n");
    h
}

const HTML_STYLE: &str = r#"<style>
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
* { box-sizing: border-box; }
html { background: #eee; }
body { margin: 0; font-family: "FangSong", "仿宋", "STFangsong", "SimSun", "宋体", "Songti SC", "Noto Serif CJK SC",
  "Source Han Serif SC", "WenQuanYi Micro Hei", serif; font-size: 14pt; line-height: 1.8; color: #000; }
.sheet { width: 210mm; min-height: 297mm; margin: 10mm auto; padding: 37mm 26mm 35mm 28mm; background: #fff;
  box-shadow: 0 0 4px rgba(0,0,0,.3); }
h1 { font-family: "SimHei", "黑体", "Heiti SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
  font-size: 22pt; font-weight: bold; text-align: center; letter-spacing: .3em; margin: 0 0 .5em; }
h2 { font-family: "SimHei", "黑体", "Heiti SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
  font-size: 14pt; margin: 1em 0 .2em; }
p { margin: 0; }
.number { text-align: right; margin-bottom: .6em; }
.party { text-indent: -5em; padding-left: 5em; }
.role { font-weight: bold; }
.body { text-indent: 2em; text-align: justify; }
.terms { list-style: none; margin: 0; padding: 0; }
.terms li { text-indent: 2em; text-align: justify; }
.signatures { margin-top: 2em; page-break-inside: avoid; break-inside: avoid; }
.sign { margin: 1.2em 0; }
.sign .line { display: inline-block; width: 12em; border-bottom: 1px solid #000; margin: 0 .5em; }
.who { color: #444; font-size: 11pt; }
.seal { margin-top: 2.5em; text-align: right; padding-right: 2em; }
@media print {
  html { background: none; }
  .sheet { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
  .who { color: #000; }
}
</style>
"#;

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The agreement as a PDF, rendered from `templates/agreement.typ` with the given fonts.
pub fn agreement_pdf(a: &Agreement, fonts: &Fonts) -> Result<Vec<u8>, DocError> {
    let data = serde_json::to_value(Printed::of(a)).map_err(|e| DocError::Render(e.to_string()))?;
    render_pdf(TEMPLATE, &data, fonts)
}

/// The agreement as a Word document (A4), with East-Asian font names set (宋体 for the text, 黑体 for title and
/// headings) so that Word and WPS render the Chinese text with Chinese fonts.
pub fn agreement_docx(a: &Agreement) -> Result<Vec<u8>, DocError> {
    use docx_rs::{AlignmentType, Docx, LineSpacing, PageMargin, Paragraph, RunFonts, SpecialIndentType};

    let p = Printed::of(a);
    // Sizes are in half-points: 44 = 二号 (22 pt), 28 = 四号 (14 pt). Lengths in twips (1/1440 inch).
    let body_fonts = || RunFonts::new().ascii("SimSun").hi_ansi("SimSun").east_asia("宋体").cs("SimSun");
    let head_fonts = || RunFonts::new().ascii("SimHei").hi_ansi("SimHei").east_asia("黑体").cs("SimHei");
    let run = |text: &str| docx_rs::Run::new().add_text(text).fonts(body_fonts()).size(28);
    let head = |text: &str| docx_rs::Run::new().add_text(text).fonts(head_fonts()).size(28).bold();
    let indented = |text: &str| {
        Paragraph::new()
            .add_run(run(text))
            .indent(None, Some(SpecialIndentType::FirstLine(560)), None, None)
            .first_line_chars(200)
            .align(AlignmentType::Both)
    };
    let blank = || Paragraph::new().add_run(run(""));

    let mut doc = Docx::new()
        .page_size(11906, 16838)
        .page_margin(PageMargin::new().top(2098).bottom(1984).left(1588).right(1474).header(851).footer(992))
        .default_fonts(body_fonts())
        .default_size(28)
        .default_line_spacing(LineSpacing::new().line(360));

    doc = doc.add_paragraph(
        Paragraph::new()
            .add_run(docx_rs::Run::new().add_text(p.title).fonts(head_fonts()).size(44).bold().character_spacing(120))
            .align(AlignmentType::Center),
    );
    doc = doc.add_paragraph(Paragraph::new().add_run(run(&p.number)).align(AlignmentType::Right));
    doc = doc.add_paragraph(Paragraph::new().add_run(run(&format!("{ORGANISATION_LABEL}{}", p.organisation))));
    doc = doc.add_paragraph(Paragraph::new().add_run(run(&p.meta.join("　　"))));
    for party in &p.parties {
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(head(&format!("{}：", party.role)))
                .add_run(run(&format!("{}，{}", party.name, party.details))),
        );
    }
    doc = doc.add_paragraph(Paragraph::new().add_run(head(FACTS_HEADING)));
    for line in p.facts.lines().filter(|l| !l.trim().is_empty()) {
        doc = doc.add_paragraph(indented(line));
    }
    doc = doc.add_paragraph(Paragraph::new().add_run(head(TERMS_HEADING)));
    for term in &p.terms {
        doc = doc.add_paragraph(indented(&format!("{}{}", term.label, term.text)));
    }
    doc = doc.add_paragraph(Paragraph::new().add_run(head(PERFORMANCE_HEADING)));
    for line in p.performance.lines().filter(|l| !l.trim().is_empty()) {
        doc = doc.add_paragraph(indented(line));
    }
    doc = doc.add_paragraph(indented(&p.copies));
    doc = doc.add_paragraph(blank());
    for party in &p.parties {
        doc = doc.add_paragraph(
            Paragraph::new()
                .add_run(run(&format!("{}{}", party.role, SIGN_SUFFIX)))
                .add_run(run("　　　　　　　　　　").underline("single"))
                .add_run(run(&format!("（{}）", party.name)).size(21)),
        );
        doc = doc.add_paragraph(blank());
    }
    doc = doc.add_paragraph(
        Paragraph::new()
            .add_run(run(MEDIATORS_LABEL))
            .add_run(run("　　　　　　　　　　").underline("single"))
            .add_run(run(&format!("（{}）", p.mediators)).size(21)),
    );
    doc = doc.add_paragraph(blank());
    doc = doc.add_paragraph(blank());
    doc = doc.add_paragraph(Paragraph::new().add_run(run(&p.seal)).align(AlignmentType::Right));
    doc = doc.add_paragraph(Paragraph::new().add_run(run(&p.date)).align(AlignmentType::Right));

    let mut out = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut out).map_err(|e| DocError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}
