//! Tests of the three renderings of the agreement. PDF tests need poppler-utils (pdftotext, pdftoppm) and a CJK font.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::process::Command;
use std::sync::OnceLock;

use chrono::NaiveDate;

use crate::*;

const HOSTILE_NAMES: [&str; 4] =
    ["#eval(\"1+1\")", "李]四*粗_体$x$", "<script>alert(1)</script>王五", "赵六 & Co. \"引号\""];

fn party(role: &str, name: &str, kind: &str) -> Party {
    Party {
        role: role.into(),
        name: name.into(),
        kind: kind.into(),
        id_masked: Some("1101**********1234".into()),
        address: Some("示范市城关街道幸福路 8 号 3 单元 502 室".into()),
        phone_masked: Some("138****5678".into()),
    }
}

fn sample() -> Agreement {
    Agreement {
        number: "示范市〔2026〕调字第 000123 号".into(),
        organisation: "城关街道人民调解委员会".into(),
        mediation_kind: "人民调解".into(),
        dispute_type: "邻里纠纷".into(),
        parties: vec![party("申请人", "张三", "自然人"), party("被申请人", "示范市幸福物业服务有限公司", "法人/组织")],
        facts: "申请人家中卫生间渗水至楼下，双方就维修费用及赔偿金额发生争议。\n经现场查看，渗水系防水层老化所致。"
            .into(),
        terms: vec![
            "被申请人于 2026 年 12 月 1 日前负责修复申请人卫生间防水层。".into(),
            "被申请人一次性赔偿申请人损失人民币 12,000.00 元。".into(),
            "双方就本纠纷再无其他争议。".into(),
        ],
        performance: "第一项于 2026 年 12 月 1 日前履行；第二项于本协议签订之日起十日内以银行转账方式履行。".into(),
        money_yuan: Some("12,000.00".into()),
        mediators: vec!["刘调解".into(), "陈调解".into()],
        date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        place: Some("城关街道人民调解室".into()),
    }
}

fn hostile() -> Agreement {
    let mut a = sample();
    a.parties = HOSTILE_NAMES.iter().map(|n| party("当事人", n, "自然人")).collect();
    a.terms.push("#set text(size: 1pt) *不加粗* _不斜体_ $x^2$ ] [ 照原样".into());
    a
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        Fonts::discover(&[]).expect("PDF tests need a CJK font: apt-get install fonts-wqy-microhei (or fonts-noto-cjk)")
    })
}

fn tool(name: &str) -> Command {
    let found = Command::new(name).arg("-v").output().is_ok();
    assert!(found, "`{name}` is missing: PDF tests need poppler-utils (apt-get install -y poppler-utils)");
    Command::new(name)
}

/// The text pdftotext extracts, with all whitespace removed (layout breaks lines anywhere).
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = tool("pdftotext").arg("-enc").arg("UTF-8").arg(&path).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().split_whitespace().collect()
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect()
}

#[test]
fn chinese_numbers_and_dates() {
    let cases = [
        (1, "一"),
        (3, "三"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (35, "三十五"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (999, "九百九十九"),
        (1000, "1000"),
    ];
    for (n, s) in cases {
        assert_eq!(chinese_number(n), s, "{n}");
    }
    assert_eq!(chinese_date(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()), "2026年11月23日");
    assert_eq!(chinese_date(NaiveDate::from_ymd_opt(2027, 1, 5).unwrap()), "2027年1月5日");
}

#[test]
fn html_has_every_party_term_and_the_form_sentences() {
    let a = sample();
    let html = agreement_html(&a);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for p in &a.parties {
        assert!(html.contains(&p.name), "party {}", p.name);
    }
    for t in &a.terms {
        assert!(html.contains(t.as_str()), "term {t}");
    }
    for s in [
        TITLE,
        "示范市〔2026〕调字第 000123 号",
        "一、被申请人",
        "三、双方",
        "纠纷主要事实、争议事项",
        "经调解，自愿达成如下协议",
        "履行方式、时限",
        "本协议一式三份，当事人、人民调解委员会各持一份",
        "调解员签名",
        "城关街道人民调解委员会（印章）",
        "2026年11月23日",
        "涉及金额：人民币 12,000.00 元",
        "统一社会信用代码",
        "@media print",
        "size: A4",
    ] {
        assert!(html.contains(s), "missing {s}");
    }
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("src="), "external resource");
}

#[test]
fn html_escapes_user_text() {
    let a = hostile();
    let html = agreement_html(&a);
    assert!(!html.contains("<script>"), "unescaped script tag");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;王五"));
    assert!(html.contains("赵六 &amp; Co. &quot;引号&quot;"));
    // One-line copies count follows the parties: four parties, five copies.
    assert!(html.contains("本协议一式五份"));
}

#[test]
fn docx_has_parties_terms_and_east_asian_fonts() {
    let a = hostile();
    let bytes = agreement_docx(&a).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    let unescaped = xml.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    for p in &a.parties {
        assert!(unescaped.contains(&p.name), "party {}", p.name);
    }
    for t in &a.terms {
        assert!(unescaped.contains(t.as_str()), "term {t}");
    }
    assert!(!xml.contains("<script>"), "text must be XML-escaped");
    for s in [TITLE, "本协议一式五份", "调解员签名", "城关街道人民调解委员会（印章）", "2026年11月23日"]
    {
        assert!(xml.contains(s), "missing {s}");
    }
    assert!(xml.contains("w:eastAsia=\"宋体\"") && xml.contains("w:eastAsia=\"黑体\""), "East-Asian font names");
    assert!(xml.contains("w:w=\"11906\"") && xml.contains("w:h=\"16838\""), "A4 page");
}

#[test]
fn pdf_prints_every_party_and_term() {
    let a = sample();
    let pdf = agreement_pdf(&a, fonts()).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert!(pdf.len() < 1024 * 1024, "PDF is {} bytes; fonts must be subset", pdf.len());
    let text = pdf_text(&pdf);
    for p in &a.parties {
        assert!(text.contains(&squeeze(&p.name)), "party {} not in {text}", p.name);
    }
    for t in &a.terms {
        assert!(text.contains(&squeeze(t)), "term {t} not in {text}");
    }
    for s in [
        TITLE,
        "纠纷主要事实、争议事项",
        "经调解，自愿达成如下协议",
        "本协议一式三份，当事人、人民调解委员会各持一份",
        "调解员签名",
        "城关街道人民调解委员会（印章）",
        "2026年11月23日",
        "刘调解、陈调解",
    ] {
        assert!(text.contains(&squeeze(s)), "missing {s} in {text}");
    }
}

#[test]
fn pdf_prints_typst_markup_in_data_literally() {
    let a = hostile();
    let pdf = agreement_pdf(&a, fonts()).unwrap();
    let text = pdf_text(&pdf);
    for name in HOSTILE_NAMES {
        assert!(text.contains(&squeeze(name)), "{name} not printed literally in {text}");
    }
    assert!(!text.contains("当事人（签名或盖章）：2"), "#eval was evaluated");
    assert!(text.contains(&squeeze("#set text(size: 1pt) *不加粗* _不斜体_ $x^2$ ] [ 照原样")), "{text}");
}

#[test]
fn pdf_first_page_has_ink() {
    let pdf = agreement_pdf(&sample(), fonts()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = tool("pdftoppm").args(["-r", "50", "-gray", "-f", "1", "-l", "1"]).arg(&path).output().unwrap();
    assert!(out.status.success(), "pdftoppm failed: {}", String::from_utf8_lossy(&out.stderr));
    let (width, height, pixels) = parse_pgm(&out.stdout);
    // A4 at 50 dpi.
    assert!((410..=416).contains(&width) && (582..=586).contains(&height), "{width}x{height}");
    let dark = pixels.iter().filter(|&&p| p < 128).count();
    let share = dark as f64 / pixels.len() as f64;
    // A page of Chinese text at 50 dpi is a few percent ink; blank or tofu-less pages are ~0.
    assert!(share > 0.01 && share < 0.5, "dark pixel share {share:.4}");
}

/// Parses a binary PGM (P5, maxval < 256) as pdftoppm -gray writes it.
fn parse_pgm(data: &[u8]) -> (usize, usize, &[u8]) {
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while data[i].is_ascii_whitespace() {
            i += 1;
        }
        if data[i] == b'#' {
            while data[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        let start = i;
        while !data[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(std::str::from_utf8(&data[start..i]).unwrap().to_owned());
    }
    assert_eq!(fields[0], "P5", "not a binary PGM");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    assert!(fields[3].parse::<u32>().unwrap() < 256);
    let pixels = &data[i + 1..];
    assert_eq!(pixels.len(), w * h);
    (w, h, pixels)
}

#[test]
fn render_pdf_reports_template_errors() {
    let err = render_pdf("#let x = ", &serde_json::json!({}), fonts()).unwrap_err();
    assert!(matches!(err, DocError::Render(_)), "{err:?}");
    let err = render_pdf("#json(\"/etc/passwd\")", &serde_json::json!({}), fonts()).unwrap_err();
    assert!(matches!(err, DocError::Render(_)), "the template must not read real files: {err:?}");
}

#[test]
fn render_pdf_is_generic() {
    let pdf = render_pdf(
        "#let d = json(\"/data.json\")\n#set text(font: sys.inputs.at(\"font-families\"))\n= #d.title\n#for r in d.rows [#r.area：#r.count 件 \\ ]",
        &serde_json::json!({"title": "季度统计报表", "rows": [{"area": "城关街道", "count": 42}, {"area": "东关街道", "count": 7}]}),
        fonts(),
    )
    .unwrap();
    let text = pdf_text(&pdf);
    assert!(text.contains("季度统计报表") && text.contains("城关街道：42件"), "{text}");
}
