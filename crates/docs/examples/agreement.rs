//! Writes a sample mediation agreement as HTML, PDF and DOCX into the directory given as the first argument
//! (default: the current directory), to look at the layout: `cargo run -p shiyu-docs --example agreement -- /tmp/out`.

use std::path::PathBuf;

use chrono::NaiveDate;
use shiyu_docs::{Agreement, Fonts, Party, agreement_docx, agreement_html, agreement_pdf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let party = |role: &str, name: &str, kind: &str, id: &str| Party {
        role: role.into(),
        name: name.into(),
        kind: kind.into(),
        id_masked: Some(id.into()),
        address: Some("示范市城关街道幸福路 8 号 3 单元 502 室".into()),
        phone_masked: Some("138****5678".into()),
    };
    let a = Agreement {
        number: "示范市〔2026〕调字第 000123 号".into(),
        organisation: "城关街道人民调解委员会".into(),
        mediation_kind: "人民调解".into(),
        dispute_type: "邻里纠纷".into(),
        parties: vec![
            party("申请人", "张三", "自然人", "1101**********1234"),
            party("被申请人", "示范市幸福物业服务有限公司", "法人/组织", "9111**********123X"),
        ],
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
        date: NaiveDate::from_ymd_opt(2026, 11, 23).ok_or("bad date")?,
        place: Some("城关街道人民调解室".into()),
    };
    let fonts = Fonts::discover(&[])?;
    std::fs::write(out.join("agreement.html"), agreement_html(&a))?;
    std::fs::write(out.join("agreement.pdf"), agreement_pdf(&a, &fonts)?)?;
    std::fs::write(out.join("agreement.docx"), agreement_docx(&a)?)?;
    println!("wrote agreement.html, agreement.pdf, agreement.docx to {} (font: {:?})", out.display(), fonts.path());
    Ok(())
}
