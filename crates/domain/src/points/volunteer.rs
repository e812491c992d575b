//! Volunteers (志愿者): registration with consent, teams, and activities with their sign-up and
//! attendance.
//!
//! An activity's life:
//!
//! | state | meaning | moves to |
//! |---|---|---|
//! | open 报名中 | taking sign-ups | full (the last place taken), held (attendance recorded), cancelled |
//! | full 已满员 | every place taken | open (someone withdrew), held, cancelled |
//! | held 已举行 | attendance is being recorded | closed |
//! | closed 已结束 | attendance final | — |
//! | cancelled 已取消 | called off, with a reason | — |
//!
//! Sign-up is open until the activity ends (a volunteer may join one already under way);
//! withdrawing is possible until it starts. Attendance is recorded from the start on, once per
//! signed-up volunteer, for at most the activity's length; it earns service hours and points for
//! volunteer service, attendance points for a meeting.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::amount::Minutes;
use crate::DomainError;
use crate::area::{AreaCode, AreaLevel};
use crate::base::Phone;
use crate::dispute::record::required_text;

/// The text of the consent a volunteer gives at registration, shown on the form and kept with
/// its version beside the registration.
pub const CONSENT_VERSION: &str = "2026-1";

/// A resident's registration as a volunteer, as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Name as the volunteer wants it shown.
    pub name: String,
    /// Phone, for the organisers only (stored sealed, shown masked).
    pub phone: Phone,
    /// The community they volunteer in.
    pub community: AreaCode,
    /// Skills and availability in their own words.
    pub skills: String,
    /// They agreed that the organisers may keep and use these details for volunteer service.
    pub consent: bool,
}

impl Registration {
    /// Checks the registration: consent given, a name, a community-level area, sensible lengths.
    pub fn check(self) -> Result<Self, DomainError> {
        if !self.consent {
            return Err(DomainError::invalid("consent", "required"));
        }
        let name = required_text("name", &self.name, 40)?;
        if self.community.level() != AreaLevel::Community {
            return Err(DomainError::invalid("area_code", "not_a_community"));
        }
        if self.skills.trim().chars().count() > 200 {
            return Err(DomainError::invalid("skills", "too_long"));
        }
        Ok(Self { name, skills: self.skills.trim().to_owned(), ..self })
    }
}

/// A volunteer team (志愿服务队) of an area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamPlan {
    /// Name, unique in its area.
    pub name: String,
    /// The area it serves (a community or above).
    pub area: AreaCode,
    /// What it does.
    pub description: String,
}

/// Areas that hold teams, activities and shops: communities and above, not grids.
fn community_or_above(area: &AreaCode) -> Result<(), DomainError> {
    if area.level() > AreaLevel::Community {
        Err(DomainError::invalid("area_code", "below_community_level"))
    } else {
        Ok(())
    }
}

impl TeamPlan {
    /// Checks the team.
    pub fn check(self) -> Result<Self, DomainError> {
        let name = required_text("name", &self.name, 60)?;
        community_or_above(&self.area)?;
        if self.description.trim().chars().count() > 500 {
            return Err(DomainError::invalid("description", "too_long"));
        }
        Ok(Self { name, description: self.description.trim().to_owned(), ..self })
    }
}

crate::case::kinds::vocabulary!(
    /// What an activity is, which decides what attending it earns.
    ActivityKind, "activity_kind", {
        /// 志愿服务: counts as service hours; points per hour.
        Service = "service", "志愿服务", "Volunteer service";
        /// 会议活动: a meeting or community event; attendance points.
        Meeting = "meeting", "会议活动", "Meeting or event";
    }
);

crate::case::kinds::vocabulary!(
    /// Where an activity stands.
    ActivityState, "state", {
        /// 报名中
        Open = "open", "报名中", "Open for sign-up";
        /// 已满员
        Full = "full", "已满员", "Full";
        /// 已举行
        Held = "held", "已举行", "Held";
        /// 已结束
        Closed = "closed", "已结束", "Closed";
        /// 已取消
        Cancelled = "cancelled", "已取消", "Cancelled";
    }
);

/// The longest activity: one day.
pub const MAX_ACTIVITY_MINUTES: i64 = 24 * 60;

/// An activity as planned by staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityPlan {
    /// Title.
    pub title: String,
    /// What will be done.
    pub description: String,
    /// Where to meet.
    pub place: String,
    /// Service or meeting.
    pub kind: ActivityKind,
    /// The area it belongs to (a community or above); its issuing account pays the points.
    pub area: AreaCode,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Places.
    pub capacity: u32,
}

impl ActivityPlan {
    /// Checks the plan: a title, an end after the start, at most a day long, 1 to 1,000 places.
    pub fn check(self) -> Result<Self, DomainError> {
        let title = required_text("title", &self.title, 100)?;
        let place = required_text("place", &self.place, 200)?;
        if self.description.trim().chars().count() > 2000 {
            return Err(DomainError::invalid("description", "too_long"));
        }
        community_or_above(&self.area)?;
        let minutes = (self.ends_at - self.starts_at).num_minutes();
        if minutes <= 0 {
            return Err(DomainError::invalid("ends_at", "not_after_start"));
        }
        if minutes > MAX_ACTIVITY_MINUTES {
            return Err(DomainError::invalid("ends_at", "longer_than_a_day"));
        }
        if !(1..=1000).contains(&self.capacity) {
            return Err(DomainError::invalid("capacity", "out_of_range"));
        }
        Ok(Self { title, place, description: self.description.trim().to_owned(), ..self })
    }
}

/// What a decision needs to know of an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActivityView {
    /// State.
    pub state: ActivityState,
    /// Places.
    pub capacity: u32,
    /// Volunteers signed up.
    pub signed_up: u32,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
}

impl ActivityView {
    /// The planned length.
    pub fn length(&self) -> Minutes {
        Minutes(u32::try_from((self.ends_at - self.starts_at).num_minutes().max(0)).unwrap_or(0))
    }
}

/// What happens to an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityMove {
    /// A registered volunteer takes a place.
    SignUp,
    /// A volunteer gives their place back.
    Withdraw,
    /// Staff record that a signed-up volunteer took part, for `minutes` (default: the whole
    /// activity).
    Attend {
        /// How long they served.
        minutes: Option<u32>,
    },
    /// Staff close the attendance.
    Close,
    /// Staff call the activity off.
    Cancel {
        /// Why.
        reason: String,
    },
}

impl ActivityMove {
    /// The wire name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::SignUp => "sign_up",
            Self::Withdraw => "withdraw",
            Self::Attend { .. } => "attend",
            Self::Close => "close",
            Self::Cancel { .. } => "cancel",
        }
    }
}

/// Decides a move at `now`: the activity after it (and for attendance the minutes credited), or
/// why not. Nothing changes on a refusal.
pub fn decide_activity(
    a: &ActivityView,
    mv: &ActivityMove,
    now: DateTime<Utc>,
) -> Result<(ActivityView, Minutes), DomainError> {
    use ActivityState as S;
    let illegal = || DomainError::IllegalMove { action: mv.name(), state: a.state.as_str() };
    match mv {
        ActivityMove::SignUp => {
            match a.state {
                S::Open => {}
                S::Full => return Err(DomainError::Rule { rule: "activity_full" }),
                _ => return Err(illegal()),
            }
            if now >= a.ends_at {
                return Err(DomainError::Rule { rule: "activity_over" });
            }
            let signed_up = a.signed_up + 1;
            let state = if signed_up >= a.capacity { S::Full } else { S::Open };
            Ok((ActivityView { state, signed_up, ..*a }, Minutes(0)))
        }
        ActivityMove::Withdraw => {
            if !matches!(a.state, S::Open | S::Full) || a.signed_up == 0 {
                return Err(illegal());
            }
            if now >= a.starts_at {
                return Err(DomainError::Rule { rule: "activity_started" });
            }
            Ok((ActivityView { state: S::Open, signed_up: a.signed_up - 1, ..*a }, Minutes(0)))
        }
        ActivityMove::Attend { minutes } => {
            if !matches!(a.state, S::Open | S::Full | S::Held) {
                return Err(illegal());
            }
            if now < a.starts_at {
                return Err(DomainError::Rule { rule: "activity_not_started" });
            }
            let length = a.length();
            let served = match minutes {
                None => length,
                Some(0) => return Err(DomainError::invalid("minutes", "must_be_positive")),
                Some(m) if *m > length.0 => return Err(DomainError::invalid("minutes", "longer_than_activity")),
                Some(m) => Minutes(*m),
            };
            Ok((ActivityView { state: S::Held, ..*a }, served))
        }
        ActivityMove::Close => {
            if a.state != S::Held {
                return Err(illegal());
            }
            Ok((ActivityView { state: S::Closed, ..*a }, Minutes(0)))
        }
        ActivityMove::Cancel { reason } => {
            if !matches!(a.state, S::Open | S::Full) {
                return Err(illegal());
            }
            required_text("reason", reason, 500)?;
            Ok((ActivityView { state: S::Cancelled, ..*a }, Minutes(0)))
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    use super::*;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 1, 0, 0).single().expect("time")
    }

    fn open(capacity: u32) -> ActivityView {
        ActivityView {
            state: ActivityState::Open,
            capacity,
            signed_up: 0,
            starts_at: t0(),
            ends_at: t0() + Duration::minutes(150),
        }
    }

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).expect("code")
    }

    #[test]
    fn places_fill_free_up_and_close() {
        let before = t0() - Duration::hours(1);
        let (a, _) = decide_activity(&open(2), &ActivityMove::SignUp, before).expect("1");
        let (a, _) = decide_activity(&a, &ActivityMove::SignUp, before).expect("2");
        assert_eq!((a.state, a.signed_up), (ActivityState::Full, 2));
        assert_eq!(
            decide_activity(&a, &ActivityMove::SignUp, before),
            Err(DomainError::Rule { rule: "activity_full" })
        );
        let (a, _) = decide_activity(&a, &ActivityMove::Withdraw, before).expect("withdraw");
        assert_eq!((a.state, a.signed_up), (ActivityState::Open, 1));
        // Once started, a place is no longer given back; joining is still possible until the end.
        let during = t0() + Duration::minutes(10);
        assert_eq!(
            decide_activity(&a, &ActivityMove::Withdraw, during),
            Err(DomainError::Rule { rule: "activity_started" })
        );
        let (a, _) = decide_activity(&a, &ActivityMove::SignUp, during).expect("late join");
        assert_eq!(
            decide_activity(&a, &ActivityMove::SignUp, t0() + Duration::minutes(150)),
            Err(DomainError::Rule { rule: "activity_full" })
        );
        // Attendance: not before the start, the whole length by default, never more.
        assert_eq!(
            decide_activity(&a, &ActivityMove::Attend { minutes: None }, before),
            Err(DomainError::Rule { rule: "activity_not_started" })
        );
        let (held, served) = decide_activity(&a, &ActivityMove::Attend { minutes: None }, during).expect("attend");
        assert_eq!((held.state, served), (ActivityState::Held, Minutes(150)));
        let (_, served) = decide_activity(&held, &ActivityMove::Attend { minutes: Some(90) }, during).expect("late");
        assert_eq!(served, Minutes(90));
        assert_eq!(
            decide_activity(&held, &ActivityMove::Attend { minutes: Some(151) }, during),
            Err(DomainError::invalid("minutes", "longer_than_activity"))
        );
        assert_eq!(
            decide_activity(&held, &ActivityMove::Attend { minutes: Some(0) }, during),
            Err(DomainError::invalid("minutes", "must_be_positive"))
        );
        assert_eq!(
            decide_activity(&held, &ActivityMove::Cancel { reason: "下雨".into() }, during),
            Err(DomainError::IllegalMove { action: "cancel", state: "held" })
        );
        let (closed, _) = decide_activity(&held, &ActivityMove::Close, during).expect("close");
        for mv in [ActivityMove::SignUp, ActivityMove::Attend { minutes: None }, ActivityMove::Close] {
            assert!(decide_activity(&closed, &mv, during).is_err(), "{mv:?} after closing");
        }
    }

    #[test]
    fn cancelling_needs_a_reason_and_ends_everything() {
        let a = open(5);
        assert_eq!(
            decide_activity(&a, &ActivityMove::Cancel { reason: " ".into() }, t0()),
            Err(DomainError::invalid("reason", "required"))
        );
        assert_eq!(
            decide_activity(&a, &ActivityMove::Close, t0()),
            Err(DomainError::IllegalMove { action: "close", state: "open" })
        );
        let (c, _) = decide_activity(&a, &ActivityMove::Cancel { reason: "暴雨预警".into() }, t0()).expect("cancel");
        assert_eq!(
            decide_activity(&c, &ActivityMove::SignUp, t0() - Duration::hours(1)),
            Err(DomainError::IllegalMove { action: "sign_up", state: "cancelled" })
        );
    }

    #[test]
    fn plans_and_registrations_name_the_bad_field() {
        let plan = ActivityPlan {
            title: "清理楼道".into(),
            description: String::new(),
            place: "3栋".into(),
            kind: ActivityKind::Service,
            area: code("439901001001"),
            starts_at: t0(),
            ends_at: t0() + Duration::hours(2),
            capacity: 10,
        };
        assert!(plan.clone().check().is_ok());
        let backwards = ActivityPlan { ends_at: t0(), ..plan.clone() };
        assert_eq!(backwards.check(), Err(DomainError::invalid("ends_at", "not_after_start")));
        let long = ActivityPlan { ends_at: t0() + Duration::hours(25), ..plan.clone() };
        assert_eq!(long.check(), Err(DomainError::invalid("ends_at", "longer_than_a_day")));
        let none = ActivityPlan { capacity: 0, ..plan.clone() };
        assert_eq!(none.check(), Err(DomainError::invalid("capacity", "out_of_range")));
        let grid = ActivityPlan { area: code("439901001001001"), ..plan.clone() };
        assert_eq!(grid.check(), Err(DomainError::invalid("area_code", "below_community_level")));
        let untitled = ActivityPlan { title: "  ".into(), ..plan };
        assert_eq!(untitled.check(), Err(DomainError::invalid("title", "required")));

        let reg = Registration {
            name: " 王芳 ".into(),
            phone: Phone::parse("13912345678").expect("phone"),
            community: code("439901001001"),
            skills: "理发".into(),
            consent: true,
        };
        assert_eq!(reg.clone().check().map(|r| r.name), Ok("王芳".to_owned()));
        assert_eq!(
            Registration { consent: false, ..reg.clone() }.check(),
            Err(DomainError::invalid("consent", "required"))
        );
        assert_eq!(
            Registration { community: code("439901001000"), ..reg }.check(),
            Err(DomainError::invalid("area_code", "not_a_community"))
        );
        let team =
            TeamPlan {
                name: "东门社区志愿服务队".into(), area: code("439901001001"), description: String::new()
            };
        assert!(team.clone().check().is_ok());
        assert_eq!(TeamPlan { name: String::new(), ..team }.check(), Err(DomainError::invalid("name", "required")));
    }

    fn any_move() -> impl Strategy<Value = ActivityMove> {
        prop_oneof![
            Just(ActivityMove::SignUp),
            Just(ActivityMove::Withdraw),
            (0..200u32).prop_map(|m| ActivityMove::Attend { minutes: Some(m) }),
            Just(ActivityMove::Attend { minutes: None }),
            Just(ActivityMove::Close),
            Just(ActivityMove::Cancel { reason: "r".into() }),
        ]
    }

    proptest! {
        /// Whatever is tried when: never more sign-ups than places, "full" exactly when every
        /// place is taken (while taking sign-ups), never credited beyond the activity's length,
        /// and nothing leaves closed or cancelled.
        #[test]
        fn no_sequence_overfills_or_overcredits(
            capacity in 1..6u32,
            steps in prop::collection::vec((any_move(), -200..300i64), 0..60),
        ) {
            let mut a = open(capacity);
            for (mv, offset) in &steps {
                let now = t0() + Duration::minutes(*offset);
                if let Ok((next, served)) = decide_activity(&a, mv, now) {
                    prop_assert!(!matches!(a.state, ActivityState::Closed | ActivityState::Cancelled), "{:?} moved by {:?}", a, mv);
                    prop_assert!(next.signed_up <= next.capacity);
                    if matches!(next.state, ActivityState::Open | ActivityState::Full) {
                        prop_assert_eq!(next.state == ActivityState::Full, next.signed_up == next.capacity);
                    }
                    prop_assert!(served <= a.length());
                    if matches!(mv, ActivityMove::Attend { .. }) {
                        prop_assert!(now >= a.starts_at && served.0 > 0);
                    }
                    a = next;
                }
            }
        }
    }
}
