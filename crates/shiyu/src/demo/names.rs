//! Pools of fictional names: people, places, shops. Combinations are drawn at random, so any
//! resemblance to a real street or person is chance.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

/// Common surnames.
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋",
    "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "谭", "廖", "贺", "龙", "欧阳", "易",
    "熊", "邹", "文",
];

/// Given names.
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "建华", "志强", "海燕", "晓东", "雪梅", "国庆", "红梅", "建国", "丽娟", "文杰", "思远", "佳怡",
    "浩然", "雨萱", "欣怡", "宇航", "俊杰", "晓燕", "春华", "立新", "德明", "玉兰", "小龙", "湘林", "卫东", "爱华",
    "晓峰", "慧敏",
];

/// Stems for street, community and road names.
pub const STEMS: &[&str] = &[
    "文昌", "育英", "金桂", "芙蓉", "清风", "明月", "青山", "白云", "银杏", "松柏", "紫荆", "枫林", "梅溪", "兰亭",
    "竹园", "荷塘", "桃李", "杏坛", "春晖", "秋实", "南湖", "北辰", "望江", "临湖", "长乐", "永安", "太平", "兴业",
    "富民", "振华", "新华", "工农", "团结", "友谊", "胜利", "光明", "前进", "朝晖", "晨光", "东风", "和平", "建设",
    "书院", "迎宾", "望月", "桃源", "白沙", "石门", "龙泉", "凤凰", "锦湖", "翠屏", "丹霞", "玉泉", "金盘", "银盆",
    "东塘", "西湖", "洪山", "高桥",
];

/// Estate name stems.
const ESTATE_STEMS: &[&str] = &[
    "锦绣", "阳光", "金色", "翠苑", "碧水", "枫丹", "紫薇", "书香", "和园", "新城", "东方", "名都", "丽景", "怡和",
    "滨江", "桂花", "银杏", "芙蓉", "长岛", "朝阳", "明珠", "万福", "康乐", "幸福", "常青", "湘韵", "江南", "御景",
    "博雅", "天悦",
];

/// Estate name suffixes.
const ESTATE_SUFFIXES: &[&str] =
    &["家园", "花园", "小区", "公寓", "苑", "新村", "佳苑", "雅居", "华府", "名邸", "华庭", "嘉园"];

/// Shop names for complaints about shops and restaurants.
pub const SHOPS: &[&str] = &[
    "湘味小厨",
    "老码头烧烤",
    "好运来餐馆",
    "鑫鑫超市",
    "乐家便利店",
    "串串香火锅",
    "阿强粉店",
    "福满楼酒家",
    "小城故事奶茶",
    "四季生鲜",
    "大碗面馆",
    "江边大排档",
    "金牌烤鱼",
    "百佳药房",
    "阳光洗车",
    "老街臭豆腐",
];

/// River names.
pub const RIVERS: &[&str] = &["清溪河", "白沙河", "梅溪", "桃花港", "龙泉溪"];

/// A full personal name, e.g. 陈晓东.
pub fn person(rng: &mut StdRng) -> String {
    let s = SURNAMES.choose(rng).copied().unwrap_or("王");
    let g = GIVEN.choose(rng).copied().unwrap_or("伟");
    format!("{s}{g}")
}

/// How a hotline record names a caller who gave only a surname, e.g. 王女士.
pub fn caller(rng: &mut StdRng) -> String {
    let s = SURNAMES.choose(rng).copied().unwrap_or("王");
    let title = if rng.random_bool(0.5) { "女士" } else { "先生" };
    format!("{s}{title}")
}

/// A telephone number that no mainland operator assigns (prefix 100), so a demo wired to a real
/// SMS gateway texts no one.
pub fn phone(rng: &mut StdRng) -> String {
    format!("100{:08}", rng.random_range(0..100_000_000u32))
}

/// A residential estate name, e.g. 锦绣家园.
pub fn estate(rng: &mut StdRng) -> String {
    let s = ESTATE_STEMS.choose(rng).copied().unwrap_or("阳光");
    let x = ESTATE_SUFFIXES.choose(rng).copied().unwrap_or("小区");
    format!("{s}{x}")
}

/// A road name from a stem, e.g. 枫林路.
pub fn road(rng: &mut StdRng, stem: &str) -> String {
    let x = ["路", "路", "路", "街", "大道", "巷"].choose(rng).copied().unwrap_or("路");
    format!("{stem}{x}")
}

/// Picks `n` distinct stems.
pub fn distinct_stems(rng: &mut StdRng, n: usize) -> Vec<&'static str> {
    STEMS.choose_multiple(rng, n).copied().collect()
}
