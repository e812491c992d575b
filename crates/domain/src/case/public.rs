//! What anyone may see of a case on the public community page (DESIGN §7): [`PublicCase`].
//!
//! The rule is written as a type: a [`PublicCase`] has no field that could hold personal data.
//! No reporter, no number (with the reporter's phone it opens the follow page), no title, text,
//! result text or instruction (free text typed by a resident or a worker may name people, phones
//! or doors), no place finer than the area the page is for, no time finer than the day. What is
//! left says what kind of matter it was, where it stands, and how it was answered.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{CaseSnapshot, CaseState, CategoryCode, Ledger, ResultKind, Satisfaction};
use crate::area::AreaLevel;
use crate::time::local_date;

/// A case as the public page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicCase {
    /// Which of the three ledgers (or a grid event).
    pub ledger: Ledger,
    /// The category (its names come from the category tree).
    pub category: CategoryCode,
    /// Where it stands.
    pub state: CaseState,
    /// The local day it was registered.
    pub registered_on: NaiveDate,
    /// The local day the stage it is in must be done by, while open (signing for it, handling
    /// it, the revisit: [`CaseSnapshot::current_due`]).
    pub due_on: Option<NaiveDate>,
    /// Open and past that deadline: the board's and the lists' definition of overdue.
    pub overdue: bool,
    /// The local day it was closed.
    pub closed_on: Option<NaiveDate>,
    /// How it was answered (resolved, explained, …), once closed.
    pub result: Option<ResultKind>,
    /// Whether it was handled within its deadline, once closed.
    pub on_time: Option<bool>,
    /// The resident's rating at the revisit.
    pub satisfaction: Option<Satisfaction>,
    /// The level it was closed at (grid, community, street, …).
    pub closed_level: Option<AreaLevel>,
}

impl PublicCase {
    /// The public view of `c` at `now`; `None` for a case folded into another (it is counted
    /// there, and a page should not show one matter twice).
    pub fn of(c: &CaseSnapshot, now: DateTime<Utc>) -> Option<Self> {
        if c.state == CaseState::Merged {
            return None;
        }
        let open = c.state.is_open();
        let closed = !open;
        Some(Self {
            ledger: c.ledger,
            category: c.category.clone(),
            state: c.state,
            registered_on: local_date(c.created_at),
            due_on: if open { c.current_due().map(local_date) } else { None },
            overdue: open && c.current_due().is_some_and(|due| due < now),
            closed_on: if closed { c.closed_at.or(Some(c.updated_at)).map(local_date) } else { None },
            result: if closed { c.result } else { None },
            on_time: if closed { c.handled_on_time } else { None },
            satisfaction: c.satisfaction,
            closed_level: if closed { c.closed_level } else { None },
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::area::AreaCode;
    use crate::case::{Actor, Channel, Effects, Event, Intake, Move, Reporter, Urgency};
    use crate::ids::{CaseId, CaseNumber};

    fn snapshot(state: CaseState) -> CaseSnapshot {
        let created = Utc.with_ymd_and_hms(2026, 3, 1, 15, 30, 0).single().expect("time");
        let intake = Intake {
            ledger: Ledger::Demand,
            category: CategoryCode::parse("01.02").expect("category"),
            channel: Channel::Hotline,
            urgency: Urgency::Normal,
            title: "王秀英家楼上漏水".into(),
            text: "联系电话13907310862，住3栋2单元501".into(),
            area: AreaCode::parse("330102001001001").expect("area"),
            location: None,
            off_grid: false,
            reporter: Reporter::Contact,
            attachments: Vec::new(),
        };
        let number = CaseNumber::new(NaiveDate::from_ymd_opt(2026, 3, 1).expect("day"), 1);
        let event = Event {
            seq: 1,
            at: created,
            actor: Actor { user: None, name: "坐席".into(), role: None },
            change: Move::Register(intake),
            effects: Effects {
                number: Some(number),
                handling_area: Some(AreaCode::parse("330102001000").expect("street")),
                ..Effects::default()
            },
        };
        let mut c = CaseSnapshot::genesis(CaseId(uuid::Uuid::from_u128(7)), &event).expect("genesis");
        c.state = state;
        c
    }

    #[test]
    fn an_open_case_shows_its_kind_day_and_deadline_and_nothing_typed() {
        let mut c = snapshot(CaseState::InProgress);
        let due = c.created_at + Duration::days(5);
        c.handle_by = Some(due);
        c.result = Some(ResultKind::Resolved);
        c.result_text = Some("已联系王秀英".into());
        c.sign_by = Some(c.created_at + Duration::hours(2));
        let before = PublicCase::of(&c, due - Duration::hours(1)).expect("shown");
        assert_eq!(before.registered_on, NaiveDate::from_ymd_opt(2026, 3, 1).expect("day"));
        assert_eq!(before.due_on, Some(local_date(due)));
        assert!(!before.overdue);
        // A result reported but not yet checked is not a closed case's result.
        assert_eq!(before.result, None);
        assert_eq!(before.closed_on, None);
        assert!(PublicCase::of(&c, due + Duration::hours(1)).expect("shown").overdue);
        // Past the signing deadline but signed for: the stage's own deadline counts.
        c.state = CaseState::Dispatched;
        assert!(PublicCase::of(&c, due - Duration::hours(1)).expect("shown").overdue);
        let json = serde_json::to_string(&before).expect("json");
        let number = c.number.to_string();
        for private in ["王秀英", "13907310862", "501", "漏水", number.as_str()] {
            assert!(!json.contains(private), "{private} leaked: {json}");
        }
    }

    #[test]
    fn a_closed_case_shows_how_it_was_answered() {
        let mut c = snapshot(CaseState::Closed);
        let closed = Utc.with_ymd_and_hms(2026, 3, 4, 17, 0, 0).single().expect("time");
        c.closed_at = Some(closed);
        c.handle_by = Some(closed - Duration::days(1));
        c.result = Some(ResultKind::Resolved);
        c.handled_on_time = Some(false);
        c.satisfaction = Some(Satisfaction::Basic);
        c.closed_level = Some(AreaLevel::Community);
        let p = PublicCase::of(&c, closed + Duration::days(30)).expect("shown");
        assert_eq!(p.closed_on, Some(local_date(closed)));
        assert_eq!(p.result, Some(ResultKind::Resolved));
        assert_eq!(p.on_time, Some(false));
        assert_eq!(p.satisfaction, Some(Satisfaction::Basic));
        assert_eq!(p.closed_level, Some(AreaLevel::Community));
        // Past its deadline but closed: not overdue, and no deadline shown.
        assert!(!p.overdue);
        assert_eq!(p.due_on, None);
    }

    #[test]
    fn a_merged_case_is_not_shown_twice() {
        assert_eq!(PublicCase::of(&snapshot(CaseState::Merged), Utc::now()), None);
        assert!(PublicCase::of(&snapshot(CaseState::NotAccepted), Utc::now()).is_some_and(|p| p.closed_on.is_some()));
    }
}
