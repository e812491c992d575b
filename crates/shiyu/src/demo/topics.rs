//! What the synthetic residents and grid workers report: topics with a category, the department
//! that usually handles them, and text templates filled with places of the demo city
//! ("{estate}{bldg}下水道堵塞…"). All text here is written for the demo; none is taken from real
//! messages.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use shiyu_domain::case::{Ledger, ResultKind};

/// Kinds of functional department a case can be dispatched to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Dept {
    /// 住房和城乡建设
    Housing,
    /// 城市管理和综合执法
    Urban,
    /// 生态环境
    Ecology,
    /// 交通运输
    Transport,
    /// 人力资源和社会保障
    Labour,
    /// 市场监督管理
    Market,
    /// 教育
    Education,
    /// 卫生健康
    Health,
    /// 公安 (分局, 派出所)
    Police,
    /// 司法 (司法局, 司法所)
    Justice,
    /// 民政
    CivilAffairs,
    /// 自然资源和规划
    Resources,
    /// 农业农村
    Agriculture,
    /// 供水 (city company)
    Water,
    /// 供电 (city company)
    Power,
    /// 燃气 (city company)
    Gas,
}

impl Dept {
    /// Departments every district has (utilities are city-wide companies).
    pub const DISTRICT: [Dept; 13] = [
        Dept::Housing,
        Dept::Urban,
        Dept::Ecology,
        Dept::Transport,
        Dept::Labour,
        Dept::Market,
        Dept::Education,
        Dept::Health,
        Dept::Police,
        Dept::Justice,
        Dept::CivilAffairs,
        Dept::Resources,
        Dept::Agriculture,
    ];

    /// Whether the department is a city-wide utility company.
    pub fn is_utility(self) -> bool {
        matches!(self, Dept::Water | Dept::Power | Dept::Gas)
    }

    /// The organisation's name at city level (`city` is the city's name).
    pub fn city_name(self, city: &str) -> String {
        match self {
            Dept::Housing => format!("{city}住房和城乡建设局"),
            Dept::Urban => format!("{city}城市管理和综合执法局"),
            Dept::Ecology => format!("{city}生态环境局"),
            Dept::Transport => format!("{city}交通运输局"),
            Dept::Labour => format!("{city}人力资源和社会保障局"),
            Dept::Market => format!("{city}市场监督管理局"),
            Dept::Education => format!("{city}教育局"),
            Dept::Health => format!("{city}卫生健康委员会"),
            Dept::Police => format!("{city}公安局"),
            Dept::Justice => format!("{city}司法局"),
            Dept::CivilAffairs => format!("{city}民政局"),
            Dept::Resources => format!("{city}自然资源和规划局"),
            Dept::Agriculture => format!("{city}农业农村局"),
            Dept::Water => format!("{city}水务集团有限公司"),
            Dept::Power => format!("国网{city}供电公司"),
            Dept::Gas => format!("{city}燃气有限公司"),
        }
    }

    /// The organisation's name in a district (`city`, `district` are names).
    pub fn district_name(self, city: &str, district: &str) -> String {
        match self {
            Dept::Housing => format!("{district}住房和城乡建设局"),
            Dept::Urban => format!("{district}城市管理和综合执法局"),
            Dept::Ecology => format!("{city}生态环境局{district}分局"),
            Dept::Transport => format!("{district}交通运输局"),
            Dept::Labour => format!("{district}人力资源和社会保障局"),
            Dept::Market => format!("{district}市场监督管理局"),
            Dept::Education => format!("{district}教育局"),
            Dept::Health => format!("{district}卫生健康局"),
            Dept::Police => format!("{city}公安局{district}分局"),
            Dept::Justice => format!("{district}司法局"),
            Dept::CivilAffairs => format!("{district}民政局"),
            Dept::Resources => format!("{city}自然资源和规划局{district}分局"),
            Dept::Agriculture => format!("{district}农业农村局"),
            Dept::Water | Dept::Power | Dept::Gas => self.city_name(city),
        }
    }
}

/// A kind of matter people report.
#[derive(Debug)]
pub(super) struct Topic {
    /// Category code (must exist in the seed tree; a test checks).
    pub category: &'static str,
    /// The usual ledger.
    pub ledger: Ledger,
    /// Lead department.
    pub dept: Dept,
    /// Co-organiser sometimes added.
    pub co: Option<Dept>,
    /// A plausible wrong department (misrouted, then returned).
    pub wrong: Dept,
    /// A grid worker can solve it on the spot.
    pub on_spot: Option<&'static str>,
    /// Relative frequency.
    pub weight: u32,
    /// Title templates; the i-th goes with the i-th text (the last serves the rest).
    pub titles: &'static [&'static str],
    /// Text templates.
    pub texts: &'static [&'static str],
    /// Results when resolved; with one per text, the i-th answers the i-th text.
    pub resolved: &'static [&'static str],
    /// Result when explained rather than resolved.
    pub explained: &'static str,
    /// Result when not yet possible.
    pub pending: &'static str,
}

const EXPLAINED: &str = "经现场核查，已向反映人详细解释相关政策规定和处理依据，反映人表示理解。";
const PENDING: &str =
    "该问题涉及规划调整和资金安排，暂不具备立即解决条件，已纳入年度工作计划，将持续跟进并及时告知进展。";

const BASE: Topic = Topic {
    category: "urban_rural.other",
    ledger: Ledger::Demand,
    dept: Dept::Urban,
    co: None,
    wrong: Dept::Housing,
    on_spot: None,
    weight: 10,
    titles: &[],
    texts: &[],
    resolved: &[],
    explained: EXPLAINED,
    pending: PENDING,
};

/// Matters residents raise (hotline, web, walk-in…).
pub(super) static RESIDENT_TOPICS: &[Topic] = &[
    Topic {
        category: "urban_rural.municipal.infrastructure",
        weight: 30,
        titles: &["{estate}下水道堵塞污水外溢", "{road}雨污水井堵塞"],
        texts: &[
            "{estate}{bldg}附近下水道堵塞，污水外溢，已持续{n}天，气味很大，老人小孩出行都要绕道，请尽快疏通处理。",
            "{road}与{road2}交叉口的雨污水井堵塞，一下雨就积水，污水漫到人行道上，跟物业反映过没有解决，请相关部门处理。",
        ],
        resolved: &[
            "已安排市政养护队伍对该处管网进行疏通清淤，污水外溢问题已解决，后续将加强巡查。",
            "经现场核查，系化粪池满溢导致，已协调物业公司完成清掏，并修复破损井盖。",
        ],
        explained: "经核查，该管网属小区内部产权，已督促物业公司限期疏通，并告知业主可依物业服务合同主张权利。",
        wrong: Dept::Water,
        co: Some(Dept::Housing),
        ..BASE
    },
    Topic {
        category: "urban_rural.municipal.public_facilities",
        weight: 22,
        titles: &["{road}路灯不亮", "{road}一带路灯损坏"],
        texts: &[
            "{road}从{road2}路口往东约{m}0米一段路灯已经{n}天不亮，晚上一片漆黑，行人和电动车通行很不安全，请尽快维修。",
            "{estate}门口{road}的路灯坏了很久，晚上下班回家路上很黑，前几天还有人摔倒，希望尽快修好。",
        ],
        resolved: &["已安排路灯维护班组更换损坏的灯具和线路，该路段路灯已恢复正常照明。"],
        explained: "经核查，该路段路灯系小区配套设施尚未移交，已督促开发建设单位限期维修。",
        wrong: Dept::Power,
        ..BASE
    },
    Topic {
        category: "urban_rural.municipal.enforcement",
        ledger: Ledger::Complaint,
        weight: 28,
        titles: &["{market}门口占道经营", "{road}流动摊贩占道"],
        texts: &[
            "{market}门口每天{evening}都有大量流动摊贩占道经营，把人行道和半幅车道都占了，交通拥堵，垃圾遍地，希望城管部门加强管理。",
            "{road}靠近{school}一段每天放学时间摆满了小吃摊，油烟大、卫生差，孩子们在车流里穿行很危险，请相关部门整治。",
        ],
        resolved: &[
            "已组织执法队员对该区域流动摊贩进行劝离，规范引导进入临时疏导点经营，并安排早晚定时巡查。",
            "已将该路段纳入重点整治路段，实行定人定岗管理，占道经营现象已得到有效控制。",
        ],
        co: Some(Dept::Market),
        wrong: Dept::Market,
        ..BASE
    },
    Topic {
        category: "environment.pollution.noise",
        ledger: Ledger::Complaint,
        dept: Dept::Ecology,
        co: Some(Dept::Urban),
        wrong: Dept::Housing,
        weight: 24,
        titles: &["{estate}旁工地夜间施工噪音扰民", "{road}夜间施工扰民"],
        texts: &[
            "{estate}旁边的建筑工地每天{late}以后还在施工，打桩机、渣土车噪音很大，严重影响居民休息，请有关部门查处。",
            "{road}道路施工每天晚上通宵作业，切割声音特别刺耳，家里有高考的孩子，根本没法休息，请求协调夜间停工。",
        ],
        resolved: &["经查，该工地未办理夜间施工许可，已依法责令停止夜间施工并立案调查，施工单位已承诺严格按时段作业。"],
        explained: "经核查，该工地因混凝土连续浇筑工艺需要已办理夜间施工许可，已要求其采取降噪措施并提前公示。",
        ..BASE
    },
    Topic {
        category: "environment.pollution.air",
        ledger: Ledger::Complaint,
        dept: Dept::Ecology,
        wrong: Dept::Market,
        weight: 12,
        titles: &["{shop}餐饮油烟扰民"],
        texts: &[
            "{road}{shop}油烟直排，没有安装油烟净化设施，楼上住户窗户都不敢开，反映多次没有效果。",
            "{estate}临街商铺{shop}的排烟管直接对着居民楼，每天中午晚上油烟呛人，请环保部门检查。",
        ],
        resolved: &["已责令该商户安装油烟净化设施并定期清洗，经复查油烟排放已符合要求。"],
        ..BASE
    },
    Topic {
        category: "urban_rural.municipal.sanitation",
        weight: 22,
        titles: &["{estate}生活垃圾清运不及时", "{road}垃圾桶满溢无人清理"],
        texts: &[
            "{estate}{bldg}旁边的垃圾站已经{n}天没有清运，垃圾堆满溢出，天气热臭味很大，蚊蝇滋生，请尽快清运。",
            "{road}沿线垃圾桶满了没人清理，周末更严重，路过都要捂着鼻子，建议增加清运次数。",
        ],
        resolved: &["已协调环卫作业单位当日完成清运，并将该点位清运频次调整为每日两次。"],
        ..BASE
    },
    Topic {
        category: "urban_rural.planning.illegal_building",
        ledger: Ledger::Complaint,
        weight: 14,
        titles: &["{estate}{bldg}顶楼违章搭建", "{estate}一楼住户圈占绿地搭棚"],
        texts: &[
            "{estate}{bldg}顶楼住户私自搭建彩钢板房，约{m}平方米，影响楼栋安全和其他住户使用楼顶，请依法拆除。",
            "{estate}一楼住户把公共绿地圈起来搭了棚子，还在里面养鸡，物业管不了，请城管部门处理。",
        ],
        resolved: &["经调查认定为违法建设，已下达限期拆除通知书，当事人已自行拆除完毕。"],
        pending: "已立案调查并下达限期整改通知，当事人正在办理相关手续，将持续跟踪督促。",
        wrong: Dept::Resources,
        ..BASE
    },
    Topic {
        category: "urban_rural.housing.property_services",
        ledger: Ledger::Complaint,
        dept: Dept::Housing,
        wrong: Dept::Urban,
        weight: 20,
        titles: &["{estate}物业服务不到位", "{estate}物业乱收费"],
        texts: &[
            "{estate}物业公司服务差，{bldg}电梯经常故障、楼道卫生没人打扫，业主多次投诉物业都推脱，物业费却照收，请主管部门督促整改。",
            "{estate}物业今年突然上调停车费，没有经过业主大会表决，也没有公示，请住建部门核查。",
        ],
        resolved: &["已约谈物业公司负责人，督促其制定整改方案，电梯已完成维修，楼道保洁已恢复日常。"],
        explained: "已向业主解释物业服务合同相关约定，并指导业主委员会依法依规协商或选聘物业服务企业。",
        ..BASE
    },
    Topic {
        category: "commerce_tourism.quality.special_equipment",
        dept: Dept::Market,
        wrong: Dept::Housing,
        co: Some(Dept::Housing),
        weight: 10,
        titles: &["{estate}{bldg}电梯频繁故障"],
        texts: &["{estate}{bldg}{unit}电梯这个月已经坏了{n}次，上周还困过人，楼里有很多老人，请特种设备监管部门检查。"],
        resolved: &["已对该电梯开展专项检查，责令维保单位更换故障部件，电梯经检验合格后恢复运行。"],
        ..BASE
    },
    Topic {
        category: "urban_rural.municipal.water",
        dept: Dept::Water,
        wrong: Dept::Urban,
        weight: 16,
        titles: &["{estate}突然停水", "{estate}高层水压不足"],
        texts: &[
            "{estate}从{when}开始停水，事先没有任何通知，到现在还没有来水，家里老人做饭洗漱都成问题，请尽快恢复供水。",
            "{estate}{bldg}{n}楼以上水压一直不足，早晚高峰基本没水，已经持续很久，请供水部门解决。",
        ],
        resolved: &[
            "经查系{road}供水管道爆裂抢修所致，已完成抢修恢复供水，并要求今后计划停水提前公告。",
            "已对小区二次供水设施进行检修并调整加压泵参数，高层水压已恢复正常。",
        ],
        pending: "该小区二次供水设施已纳入明年改造计划，改造前已安排临时加压措施。",
        ..BASE
    },
    Topic {
        category: "urban_rural.municipal.power",
        dept: Dept::Power,
        wrong: Dept::Urban,
        weight: 10,
        titles: &["{estate}频繁停电", "{road}一带突然停电"],
        texts: &[
            "{estate}最近一周停电{n}次，每次停好几个小时，冰箱里的东西都坏了，请供电公司查明原因。",
            "{road}一带{when}突然停电，到现在还没恢复，也没有看到抢修通知。",
        ],
        resolved: &["经排查为小区配电变压器负荷过重，已完成增容改造，供电已恢复稳定。"],
        ..BASE
    },
    Topic {
        category: "urban_rural.municipal.gas",
        dept: Dept::Gas,
        wrong: Dept::Housing,
        weight: 5,
        titles: &["{estate}燃气管道有异味"],
        texts: &["{estate}{bldg}{unit}楼道里闻到燃气味，怀疑管道漏气，请燃气公司尽快派人检查。"],
        resolved: &["燃气公司抢修人员已到场检测，发现表前阀门接口松动漏气，已更换并复测无泄漏。"],
        ..BASE
    },
    Topic {
        category: "labour.relations.migrant_workers",
        dept: Dept::Labour,
        co: Some(Dept::Housing),
        wrong: Dept::Justice,
        weight: 14,
        titles: &["{road}某工地拖欠农民工工资", "讨要被拖欠的工资"],
        texts: &[
            "我们{n}名工人在{road}{project}工地做工，包工头拖欠工资共计{money}万元，已经拖了{m}天，多次讨要无果，请劳动监察部门帮助追讨。",
            "本人在{road}一家装修公司上班，公司已经{n}个月没发工资，老板说没钱，请帮忙维权。",
        ],
        resolved: &[
            "劳动保障监察大队已约谈施工总包单位，督促其通过农民工工资专用账户足额支付被拖欠工资，工人已领到工资。",
        ],
        explained: "经核查，双方对工程量存在争议，已引导通过劳动仲裁途径解决，并提供法律援助指引。",
        ..BASE
    },
    Topic {
        category: "labour.worker_insurance.pension",
        dept: Dept::Labour,
        wrong: Dept::CivilAffairs,
        weight: 8,
        titles: &["咨询养老保险转移和补缴"],
        texts: &[
            "本人{age}岁，之前在外地工作交过{n}年社保，现在回{city}想把社保转回来并补缴中断的年份，请问需要办理哪些手续？",
        ],
        resolved: &["已电话告知转移接续和补缴所需材料及办理窗口，工作人员已协助其在线提交转移申请。"],
        explained: "已电话告知转移接续和补缴所需材料及办理窗口，可通过人社服务平台线上申请。",
        ..BASE
    },
    Topic {
        category: "education_culture.system.resources",
        dept: Dept::Education,
        wrong: Dept::Housing,
        weight: 8,
        titles: &["{estate}适龄儿童入学难"],
        texts: &[
            "{estate}入住率越来越高，但划片的{school}学位紧张，今年很多适龄儿童被调剂到{n}公里外的学校，希望教育部门增加学位或调整学区。",
        ],
        resolved: &["已在{school}增设临时教学班，剩余适龄儿童已全部就近安排入学。"],
        explained: "已告知今年学区划分及学位安排情况，{school}扩建工程已列入计划，预计明年秋季新增学位。",
        ..BASE
    },
    Topic {
        category: "education_culture.admin.off_campus",
        ledger: Ledger::Complaint,
        dept: Dept::Education,
        co: Some(Dept::Market),
        wrong: Dept::Market,
        weight: 6,
        titles: &["{road}校外培训机构退费难"],
        texts: &[
            "{road}有一家校外培训机构一次性收取一年学费，现在老板联系不上，{n}十名家长的费用无法退还，请教育部门处理。",
        ],
        resolved: &["已会同市场监管部门对该机构立案调查，督促其负责人制定退费方案，已分批退还家长费用。"],
        ..BASE
    },
    Topic {
        category: "law.traffic.safety",
        ledger: Ledger::Suggestion,
        dept: Dept::Police,
        wrong: Dept::Transport,
        weight: 8,
        titles: &["建议在{school}门口增设交通设施"],
        texts: &[
            "{school}门口上下学时段车流量大，家长接送车辆乱停，孩子过马路很危险，建议增设斑马线、减速带并安排交警疏导。",
        ],
        resolved: &["已在该校门口施划人行横道、设置减速带和警示标志，并在上下学高峰安排警力疏导。"],
        ..BASE
    },
    Topic {
        category: "health.food_drugs.food",
        ledger: Ledger::Complaint,
        dept: Dept::Market,
        wrong: Dept::Health,
        weight: 8,
        titles: &["{shop}食品卫生问题"],
        texts: &["在{road}{shop}吃饭后一家人都出现腹泻，店内后厨卫生很差，请市场监管部门检查。"],
        resolved: &["已对该店开展现场检查，发现后厨卫生不达标，已责令停业整改并依法处罚，整改后复查合格。"],
        ..BASE
    },
    Topic {
        category: "health.medical.fees",
        ledger: Ledger::Complaint,
        dept: Dept::Health,
        wrong: Dept::Market,
        weight: 5,
        titles: &["{hospital}收费有疑问"],
        texts: &["在{hospital}住院{n}天，清单里有几项检查没有做过却收了费，找医院没有合理解释，请卫健部门核查。"],
        resolved: &["经核查，医院存在重复计费问题，已责令退还多收费用并对相关科室进行通报整改。"],
        explained: "经核查，相关费用均有医嘱和检查记录，已向患者逐项解释收费依据。",
        ..BASE
    },
    Topic {
        category: "law.traffic.other",
        ledger: Ledger::Complaint,
        dept: Dept::Police,
        co: Some(Dept::Urban),
        wrong: Dept::Urban,
        weight: 12,
        titles: &["{road}车辆乱停堵塞通道"],
        texts: &["{estate}门口{road}两侧长期乱停车，把消防通道都堵了，早晚高峰车根本开不出去，请交警部门加强管理。"],
        resolved: &["交警已对该路段开展违停专项整治，施划禁停标线并加强巡逻，通道已恢复畅通。"],
        ..BASE
    },
    Topic {
        category: "urban_rural.municipal.bus",
        ledger: Ledger::Suggestion,
        dept: Dept::Transport,
        wrong: Dept::Urban,
        weight: 6,
        titles: &["建议增开{estate}至地铁站的公交线路"],
        texts: &[
            "{estate}周边{n}个小区居民上万人，到最近的地铁站要步行{m}分钟，建议增开社区微循环公交或延长{bus}路公交线路。",
        ],
        resolved: &["已延长{bus}路公交线路并在{estate}门口新增站点，自下月起开通运行。"],
        explained: "已将该建议纳入公交线网优化方案研究，届时将结合客流调查情况统筹考虑。",
        ..BASE
    },
    Topic {
        category: "transport.construction.maintenance",
        dept: Dept::Transport,
        wrong: Dept::Urban,
        weight: 10,
        titles: &["{road}路面坑洼破损"],
        texts: &["{road}靠近{road2}一段路面坑洼不平，有好几个大坑，下雨积水看不见，已经有电动车摔倒，请尽快修补。"],
        resolved: &["已安排道路养护单位完成坑槽修补，路面已恢复平整。"],
        ..BASE
    },
    Topic {
        category: "transport.taxi.ride_hailing",
        ledger: Ledger::Complaint,
        dept: Dept::Transport,
        wrong: Dept::Market,
        weight: 4,
        titles: &["网约车绕路多收费"],
        texts: &["{when}乘坐网约车从{estate}去火车站，司机故意绕路，车费比平时多了{n}十元，平台客服一直不处理。"],
        resolved: &["已约谈平台公司，平台已核实绕路情况并退还多收车费，对司机作出处理。"],
        ..BASE
    },
    Topic {
        category: "commerce_tourism.market.prices",
        ledger: Ledger::Complaint,
        dept: Dept::Market,
        wrong: Dept::Urban,
        weight: 5,
        titles: &["{market}商户缺斤少两"],
        texts: &["在{market}买菜，称出来三斤的东西回家复称只有两斤半，怀疑电子秤有问题，请市场监管部门查处。"],
        resolved: &["已对该市场开展计量器具专项检查，查获作弊电子秤{n}台，依法予以没收并处罚。"],
        ..BASE
    },
    Topic {
        category: "civil_affairs.assistance.urban_dibao",
        dept: Dept::CivilAffairs,
        wrong: Dept::Labour,
        weight: 5,
        titles: &["咨询低保申请条件"],
        texts: &["家里收入很低，还要照顾生病的家人，想申请低保，不知道需要什么条件和材料，到哪里办理。"],
        resolved: &["社区工作人员已上门指导提交低保申请，经审核符合条件，已纳入保障范围。"],
        explained: "已告知低保申请条件及所需材料，社区工作人员已上门指导提交申请，目前正在审核。",
        ..BASE
    },
    Topic {
        category: "civil_affairs.welfare.services",
        ledger: Ledger::Suggestion,
        dept: Dept::CivilAffairs,
        wrong: Dept::Health,
        weight: 5,
        titles: &["建议在{community}开设长者食堂"],
        texts: &["{community}老年人多，很多独居老人做饭不方便，建议在社区建设老年食堂或助餐点，解决老人吃饭难问题。"],
        resolved: &["已在{community}党群服务中心开设长者助餐点，每日提供午餐和晚餐。"],
        ..BASE
    },
    Topic {
        category: "urban_rural.housing.certificates",
        dept: Dept::Resources,
        co: Some(Dept::Housing),
        wrong: Dept::Housing,
        weight: 6,
        titles: &["{estate}业主不动产权证迟迟办不下来"],
        texts: &["{estate}交房已经{n}年了，开发商一直没有给业主办理不动产权证，孩子上学落户都受影响，请相关部门督促。"],
        resolved: &["已协调开发商补齐相关手续，首批业主不动产权证已办理完成。"],
        pending: "开发商欠缴税费问题正在协调处理，已成立工作专班推进，办证进度将及时向业主公告。",
        ..BASE
    },
    Topic {
        category: "urban_rural.expropriation.compensation",
        dept: Dept::Housing,
        wrong: Dept::Resources,
        weight: 4,
        titles: &["征收安置房迟迟未交付"],
        texts: &[
            "我家{year}年因道路建设被征收，协议约定{n}年内交付安置房，现在已经超期，过渡费也停发了，请政府给个说法。",
        ],
        resolved: &["已督促项目单位补发过渡费，安置房已完成竣工验收，将于本月分批交付。"],
        explained: "已告知安置房建设进度和交付计划，过渡费已按协议恢复发放。",
        ..BASE
    },
    Topic {
        category: "law.public_order.security_cases",
        ledger: Ledger::Complaint,
        dept: Dept::Police,
        wrong: Dept::Urban,
        weight: 6,
        titles: &["{estate}门口夜间聚集吵闹"],
        texts: &["{estate}门口{shop}附近每天半夜有人聚集喝酒吵闹，还发生过推搡，居民很担心，请派出所加强巡逻。"],
        resolved: &["派出所已加强该区域夜间巡逻，对相关人员进行了批评教育，情况已明显好转。"],
        ..BASE
    },
    Topic {
        category: "law.public_order.fire_safety",
        dept: Dept::Police,
        co: Some(Dept::Housing),
        wrong: Dept::Urban,
        weight: 6,
        titles: &["{estate}{bldg}楼道堆放杂物"],
        texts: &["{estate}{bldg}楼道里有住户长期堆放纸箱和旧家具，堵塞消防通道，存在火灾隐患，请相关部门督促清理。"],
        resolved: &["已会同社区、物业上门督促住户清理楼道杂物，消防通道已恢复畅通。"],
        ..BASE
    },
    Topic {
        category: "urban_rural.municipal.greening",
        ledger: Ledger::Suggestion,
        weight: 6,
        titles: &["建议修剪{road}行道树"],
        texts: &["{road}行道树枝叶过密，挡住了路灯和交通信号灯，大风天气也有倒伏隐患，建议园林部门及时修剪。"],
        resolved: &["已安排园林养护单位对该路段行道树进行修剪。"],
        ..BASE
    },
    Topic {
        category: "environment.pollution.water",
        ledger: Ledger::Complaint,
        dept: Dept::Ecology,
        co: Some(Dept::Water),
        wrong: Dept::Water,
        weight: 6,
        titles: &["{river}有污水直排"],
        texts: &["{river}靠近{road}的河段有一个排污口每天排黑水，河水发臭，请环保部门查处。"],
        resolved: &["经溯源排查，系附近餐饮店违规接入雨水管网，已责令整改并完成雨污分流改造，河道水质已好转。"],
        ..BASE
    },
    Topic {
        category: "urban_rural.housing.renovation",
        ledger: Ledger::Suggestion,
        dept: Dept::Housing,
        wrong: Dept::Resources,
        weight: 6,
        titles: &["{estate}希望加装电梯"],
        texts: &[
            "{estate}是上世纪九十年代的老小区，住户很多是老年人，爬楼很困难，希望政府支持老旧小区加装电梯并简化审批。",
        ],
        resolved: &["{estate}已纳入老旧小区改造计划，{bldg}加装电梯方案已通过业主协商并完成报建。"],
        explained: "已告知既有住宅加装电梯的政策和补贴标准，社区将协助业主协商和报建。",
        ..BASE
    },
    Topic {
        category: "education_culture.fees.arbitrary",
        ledger: Ledger::Complaint,
        dept: Dept::Education,
        wrong: Dept::Market,
        weight: 3,
        titles: &["{school}乱收费"],
        texts: &["{school}以资料费名义向每个学生收取{m}0元，没有开收据，请教育部门核查。"],
        resolved: &["经核查，该校违规代收资料费，已责令全额清退并对相关责任人进行通报。"],
        ..BASE
    },
];

/// Matters grid workers find on their rounds (事件).
pub(super) static GRID_TOPICS: &[Topic] = &[
    Topic {
        category: "event.safety.ebike_charging",
        ledger: Ledger::Event,
        weight: 18,
        on_spot: Some("已现场劝导车主将电动车移至集中充电棚充电，拆除飞线并张贴安全提示。"),
        titles: &["{estate}{bldg}电动车楼道违规充电"],
        texts: &["巡查发现{estate}{bldg}{unit}一楼楼道有{n}辆电动车飞线充电，存在较大火灾隐患。"],
        resolved: &["已会同物业对楼道电动车进行清理，并在小区增设充电桩{n}个。"],
        co: Some(Dept::Police),
        ..BASE
    },
    Topic {
        category: "event.sanitation.garbage",
        ledger: Ledger::Event,
        weight: 22,
        on_spot: Some("已联系社区保洁人员现场清运完毕，并提醒周边商户规范投放。"),
        titles: &["{road}空地垃圾堆积"],
        texts: &["巡查发现{road}{estate}外围空地堆放大量生活垃圾和建筑垃圾，约{n}立方米，影响环境卫生。"],
        resolved: &["环卫部门已完成清运并设置禁倒警示牌，纳入日常巡查点位。"],
        ..BASE
    },
    Topic {
        category: "event.safety.manholes",
        ledger: Ledger::Event,
        weight: 10,
        titles: &["{road}井盖缺失"],
        texts: &["巡查发现{road}与{road2}路口附近一处井盖缺失，已设置临时警示，需尽快补装。"],
        resolved: &["市政养护单位已补装井盖并加装防坠网。"],
        wrong: Dept::Water,
        ..BASE
    },
    Topic {
        category: "event.street_vending.vendors",
        ledger: Ledger::Event,
        weight: 16,
        on_spot: Some("已现场劝导摊贩进入疏导点经营，道路已恢复通行。"),
        titles: &["{market}门口流动摊点占道"],
        texts: &["巡查发现{market}门口有{n}个流动摊点占道经营，影响行人和车辆通行。"],
        resolved: &["城管执法中队已对占道摊点进行规范整治，并安排专人定时巡查。"],
        ..BASE
    },
    Topic {
        category: "event.illegal_building.sheds",
        ledger: Ledger::Event,
        weight: 8,
        titles: &["{estate}一楼住户违规搭建"],
        texts: &["巡查发现{estate}{bldg}一楼住户正在院内违规搭建砖混结构房屋，约{m}平方米。"],
        resolved: &["城管执法队员已到场制止，当事人已停工并自行拆除。"],
        wrong: Dept::Housing,
        ..BASE
    },
    Topic {
        category: "event.dispute.neighbours",
        ledger: Ledger::Event,
        dept: Dept::Justice,
        weight: 12,
        on_spot: Some("网格员会同社区调解员上门调解，双方达成维修协议，矛盾已化解。"),
        titles: &["{estate}{bldg}邻里漏水纠纷"],
        texts: &["走访中发现{estate}{bldg}上下楼住户因卫生间漏水问题多次发生争吵，矛盾有激化苗头。"],
        resolved: &["司法所组织人民调解，双方达成调解协议，楼上住户已完成防水维修。"],
        wrong: Dept::Housing,
        ..BASE
    },
    Topic {
        category: "event.dispute.wages",
        ledger: Ledger::Event,
        dept: Dept::Labour,
        weight: 5,
        titles: &["{road}工地工人聚集讨薪"],
        texts: &["走访发现{road}一处工地有{n}名工人聚集讨要工资，情绪激动，需劳动监察部门介入。"],
        resolved: &["劳动保障监察部门已到场协调，施工单位已承诺并按期支付拖欠工资。"],
        wrong: Dept::Justice,
        co: Some(Dept::Housing),
        ..BASE
    },
    Topic {
        category: "event.facilities.street_lights",
        ledger: Ledger::Event,
        weight: 10,
        titles: &["{road}路灯损坏"],
        texts: &["巡查发现{road}{n}盏路灯不亮，夜间通行存在安全隐患。"],
        resolved: &["路灯维护班组已更换损坏灯具，照明已恢复。"],
        wrong: Dept::Power,
        ..BASE
    },
    Topic {
        category: "event.facilities.roads",
        ledger: Ledger::Event,
        dept: Dept::Transport,
        weight: 7,
        titles: &["{road}路面塌陷"],
        texts: &["巡查发现{road}靠近{estate}一段人行道地砖松动、局部塌陷，约{m}平方米，已拉警戒线。"],
        resolved: &["道路养护单位已完成塌陷部位修复。"],
        wrong: Dept::Urban,
        ..BASE
    },
    Topic {
        category: "event.facilities.drains",
        ledger: Ledger::Event,
        weight: 9,
        titles: &["{road}下水道堵塞"],
        texts: &["巡查发现{road}{estate}门口下水道堵塞，污水外溢到路面，影响通行。"],
        resolved: &["市政养护队伍已完成管道疏通，路面已清洗干净。"],
        wrong: Dept::Water,
        ..BASE
    },
    Topic {
        category: "event.traffic.parking",
        ledger: Ledger::Event,
        dept: Dept::Police,
        weight: 8,
        on_spot: Some("已联系车主将车辆挪离，消防通道恢复畅通。"),
        titles: &["{estate}消防通道车辆乱停"],
        texts: &["巡查发现{estate}消防通道停放{n}辆私家车，消防车无法通行。"],
        resolved: &["交警已对违停车辆依法处理，物业已在通道处设置隔离桩。"],
        wrong: Dept::Urban,
        ..BASE
    },
    Topic {
        category: "event.traffic.shared_bikes",
        ledger: Ledger::Event,
        weight: 6,
        on_spot: Some("已联系共享单车企业运维人员现场清运、规范摆放。"),
        titles: &["{road}共享单车堆积"],
        texts: &["巡查发现{road}地铁口共享单车大量堆积，占用盲道和人行道。"],
        resolved: &["已约谈共享单车企业，增派运维人员并划定停放区。"],
        ..BASE
    },
    Topic {
        category: "event.safety.building",
        ledger: Ledger::Event,
        dept: Dept::Housing,
        weight: 5,
        titles: &["{estate}{bldg}外墙瓷砖脱落"],
        texts: &["巡查发现{estate}{bldg}外墙瓷砖大面积空鼓，部分已经脱落，楼下是人行通道，已临时围挡。"],
        resolved: &["住建部门已督促产权单位完成外墙修缮，安全隐患已消除。"],
        wrong: Dept::Urban,
        ..BASE
    },
    Topic {
        category: "event.dispute.property_management",
        ledger: Ledger::Event,
        dept: Dept::Housing,
        weight: 6,
        on_spot: Some("网格员组织业主代表与物业面对面协商，双方就维修事项达成一致。"),
        titles: &["{estate}业主与物业矛盾"],
        texts: &["走访发现{estate}部分业主因车库漏水维修问题与物业公司发生争执，拟集体拒交物业费。"],
        resolved: &["住建部门约谈物业公司，车库防水维修已启动，业主情绪已平稳。"],
        wrong: Dept::Justice,
        ..BASE
    },
    Topic {
        category: "event.livelihood.elderly_help",
        ledger: Ledger::Event,
        dept: Dept::CivilAffairs,
        weight: 5,
        on_spot: Some("网格员联系志愿者上门维修，并纳入日常关爱走访。"),
        titles: &["{estate}独居老人需要帮助"],
        texts: &["走访发现{estate}{bldg}一位独居老人家中水管漏水无人维修，生活不便。"],
        resolved: &["民政部门已安排居家养老服务机构上门服务。"],
        wrong: Dept::Health,
        ..BASE
    },
    Topic {
        category: "event.safety.gas",
        ledger: Ledger::Event,
        dept: Dept::Gas,
        weight: 3,
        titles: &["{shop}燃气使用不规范"],
        texts: &["巡查发现{road}{shop}后厨液化气罐与灶具距离过近，软管老化，存在安全隐患。"],
        resolved: &["燃气公司已上门更换软管并进行安全检查，商户已整改到位。"],
        wrong: Dept::Market,
        ..BASE
    },
];

/// Picks a topic by weight.
pub(super) fn pick(rng: &mut StdRng, topics: &'static [Topic]) -> &'static Topic {
    let total: u32 = topics.iter().map(|t| t.weight).sum();
    let mut x = rng.random_range(0..total.max(1));
    for t in topics {
        if x < t.weight {
            return t;
        }
        x -= t.weight;
    }
    &topics[0]
}

/// The places and numbers a case's text mentions. Drawn once per matter so that duplicate
/// reports of one matter name the same place.
#[derive(Debug, Clone, Default)]
pub(super) struct Vars {
    pub estate: String,
    pub bldg: String,
    pub unit: String,
    pub road: String,
    pub road2: String,
    pub market: String,
    pub school: String,
    pub hospital: String,
    pub river: String,
    pub shop: String,
    pub community: String,
    pub city: String,
    pub project: String,
    pub n: u32,
    pub m: u32,
    pub money: String,
    pub late: &'static str,
    pub evening: &'static str,
    pub when: &'static str,
    pub age: u32,
    pub bus: u32,
    pub year: u32,
}

impl Vars {
    /// Fills `{key}` placeholders; unknown keys are kept as written so a typo shows in tests.
    pub fn fill(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            let key = &after[..close];
            match key {
                "estate" => out.push_str(&self.estate),
                "bldg" => out.push_str(&self.bldg),
                "unit" => out.push_str(&self.unit),
                "road" => out.push_str(&self.road),
                "road2" => out.push_str(&self.road2),
                "market" => out.push_str(&self.market),
                "school" => out.push_str(&self.school),
                "hospital" => out.push_str(&self.hospital),
                "river" => out.push_str(&self.river),
                "shop" => out.push_str(&self.shop),
                "community" => out.push_str(&self.community),
                "city" => out.push_str(&self.city),
                "project" => out.push_str(&self.project),
                "n" => out.push_str(&self.n.to_string()),
                "m" => out.push_str(&self.m.to_string()),
                "money" => out.push_str(&self.money),
                "late" => out.push_str(self.late),
                "evening" => out.push_str(self.evening),
                "when" => out.push_str(self.when),
                "age" => out.push_str(&self.age.to_string()),
                "bus" => out.push_str(&self.bus.to_string()),
                "year" => out.push_str(&self.year.to_string()),
                _ => {
                    out.push('{');
                    out.push_str(key);
                    out.push('}');
                }
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }

    /// Draws the small details (numbers, times of day) that vary between reports.
    pub fn draw_details(&mut self, rng: &mut StdRng) {
        self.bldg = format!("{}栋", rng.random_range(1..=28));
        self.unit = format!("{}单元", rng.random_range(1..=4));
        self.n = rng.random_range(2..=9);
        self.m = rng.random_range(10..=60);
        self.money = format!("{:.1}", rng.random_range(2.0..40.0));
        self.late = ["晚上十点", "晚上十一点", "凌晨一点", "半夜十二点"].choose(rng).copied().unwrap_or("晚上十点");
        self.evening = ["傍晚六点到晚上十点", "早上六点到九点", "晚上七点以后", "中午和傍晚"]
            .choose(rng)
            .copied()
            .unwrap_or("晚上");
        self.when = ["昨天上午", "今天早上", "前天晚上", "昨天下午", "本周一"].choose(rng).copied().unwrap_or("昨天");
        self.age = rng.random_range(40..=59);
        self.bus = rng.random_range(1..=399);
        self.year = rng.random_range(2018..=2023);
    }
}

/// The title for text variant `i` of a topic.
pub(super) fn title(topic: &Topic, i: usize) -> &'static str {
    topic.titles.get(i).or(topic.titles.last()).copied().unwrap_or("群众诉求")
}

/// Result text for text variant `i` of a topic.
pub(super) fn result_text(topic: &Topic, i: usize, kind: ResultKind, vars: &Vars, rng: &mut StdRng) -> String {
    let t = match kind {
        ResultKind::Resolved if topic.resolved.len() == topic.texts.len() => {
            topic.resolved.get(i).copied().unwrap_or(EXPLAINED)
        }
        ResultKind::Resolved => topic.resolved.choose(rng).copied().unwrap_or(EXPLAINED),
        ResultKind::Explained => topic.explained,
        ResultKind::NotYetPossible => topic.pending,
    };
    vars.fill(t)
}
