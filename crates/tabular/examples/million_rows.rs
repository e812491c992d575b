//! Times reading and writing 1,000,000 resident-like rows of 8 columns as CSV and as XLSX.
//!
//! `cargo run --release -p shiyu-tabular --example million_rows [rows]`
//!
//! Peak memory (VmHWM) only grows, so the streaming readers run before the whole-table ones.

use std::time::Instant;

use shiyu_tabular::{Format, TabularError, XlsxBook, read, read_csv_iter, write_csv, write_xlsx};

const HEADERS: [&str; 8] = ["姓名", "身份证号", "手机号", "性别", "出生日期", "所属网格", "现住址", "备注"];

fn row(i: usize) -> [String; 8] {
    [
        format!("居民{i}"),
        format!("3201021990{:08}", i),
        format!("138{:08}", i),
        (if i.is_multiple_of(2) { "男" } else { "女" }).to_owned(),
        format!("19{:02}-{:02}-{:02}", 50 + i % 50, 1 + i % 12, 1 + i % 28),
        format!("320102001{:03}", i % 400),
        format!("南京市玄武区某某街道{}号{}室", i % 300, i % 40),
        if i.is_multiple_of(10) { "独居老人, 每周走访".to_owned() } else { String::new() },
    ]
}

fn peak_mib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM")).map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_owned())
        })
        .and_then(|kib| kib.parse::<u64>().ok())
        .map_or("?".to_owned(), |kib| format!("{} MiB", kib / 1024))
}

fn report(what: &str, rows: usize, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    println!("{what:<34} {secs:>7.2} s  {:>10.0} rows/s  peak {}", rows as f64 / secs, peak_mib());
}

fn main() -> Result<(), TabularError> {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    println!("{n} rows x {} columns", HEADERS.len());

    let t = Instant::now();
    let csv = write_csv(&HEADERS, (0..n).map(row));
    report(&format!("write CSV ({} MiB)", csv.len() >> 20), n, t);

    let t = Instant::now();
    let xlsx = write_xlsx("实有人口", &HEADERS, (0..n).map(row))?;
    report(&format!("write XLSX ({} MiB)", xlsx.len() >> 20), n, t);

    let t = Instant::now();
    let mut count = 0;
    for r in read_csv_iter(&csv)? {
        count += r?.cells.len() / HEADERS.len();
    }
    assert_eq!(count, n);
    report("read CSV, streaming", n, t);

    let t = Instant::now();
    let mut book = XlsxBook::open(&xlsx)?;
    let mut count = 0;
    for r in book.rows(None)? {
        count += r?.cells.len() / HEADERS.len();
    }
    assert_eq!(count, n);
    report("read XLSX, streaming", n, t);

    let t = Instant::now();
    let table = read(Format::Csv, &csv)?;
    assert_eq!(table.rows.len(), n);
    report("read CSV, whole table", n, t);
    drop(table);

    let t = Instant::now();
    let table = read(Format::Xlsx, &xlsx)?;
    assert_eq!(table.rows.len(), n);
    report("read XLSX, whole table", n, t);
    Ok(())
}
