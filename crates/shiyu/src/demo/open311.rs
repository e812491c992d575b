//! The demo's Open311 connection: the street-lighting service asks which facility is broken (and
//! optionally how many and since when), and one client is connected with a fresh api_key.

use chrono::Utc;
use shiyu_domain::area::AreaCode;
use shiyu_domain::open311::{AttributeDef, Choice, Datatype};
use shiyu_storage::Store;

/// The service that asks extra questions in the demo.
pub const FACILITIES: &str = "urban_rural.municipal.public_facilities";

/// The questions of [`FACILITIES`].
pub fn facility_questions() -> Vec<AttributeDef> {
    let choice = |key: &str, name: &str| Choice { key: key.into(), name: name.into() };
    vec![
        AttributeDef {
            code: "facility".into(),
            datatype: Datatype::Singlevaluelist,
            required: true,
            variable: true,
            order: 1,
            description: "损坏的设施".into(),
            datatype_description: String::new(),
            values: vec![
                choice("streetlight", "路灯"),
                choice("manhole", "井盖"),
                choice("railing", "护栏"),
                choice("other", "其他"),
            ],
        },
        AttributeDef {
            code: "count".into(),
            datatype: Datatype::Number,
            required: false,
            variable: true,
            order: 2,
            description: "损坏数量".into(),
            datatype_description: "个数".into(),
            values: vec![],
        },
        AttributeDef {
            code: "since".into(),
            datatype: Datatype::Datetime,
            required: false,
            variable: true,
            order: 3,
            description: "发现时间".into(),
            datatype_description: "ISO 8601，含时区".into(),
            values: vec![],
        },
    ]
}

/// Sets the demo's questions and connects a client at the city; returns its api_key.
pub async fn connect(store: &Store, city: &AreaCode) -> anyhow::Result<String> {
    store.set_service_attributes(FACILITIES, &facility_questions()).await?;
    let (_, key) = store.create_open311_client("演示客户端 / demo client", city, Utc::now()).await?;
    Ok(key)
}
