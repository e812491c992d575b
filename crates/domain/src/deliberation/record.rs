//! What the clerk writes down: a meeting (when, how many members, who attended, the minutes and
//! the count of votes), a published document, a resident's comment. Each is checked before it is
//! stored; the state rules are in [`super::machine`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::dispute::record::required_text;

/// Largest body the platform records (a villagers' representatives meeting has dozens; a party
/// members' meeting of a big village a few hundred).
pub const MAX_MEMBERS: u32 = 2000;

/// The count of votes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Votes {
    /// For.
    #[serde(rename = "for")]
    pub yes: u32,
    /// Against.
    pub against: u32,
    /// Abstaining.
    pub abstain: u32,
}

impl Votes {
    /// Every vote cast.
    pub fn total(self) -> u64 {
        u64::from(self.yes) + u64::from(self.against) + u64::from(self.abstain)
    }
}

/// A meeting of the body of one stage, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// The stage the meeting is for (its key, e.g. `discuss`).
    pub stage: String,
    /// When it was held.
    pub held_at: DateTime<Utc>,
    /// Members of the body entitled to vote (应到会人数).
    pub members_total: u32,
    /// The members present, by name or title as the clerk typed them; their number is the
    /// attendance.
    pub attendees: Vec<String>,
    /// Others present without a vote (列席人员).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub observers: Vec<String>,
    /// The count of the vote.
    pub votes: Votes,
    /// The minutes (会议记录).
    pub minutes: String,
}

fn names(field: &'static str, list: &[String], max: usize) -> Result<Vec<String>, DomainError> {
    let out: Vec<String> = list.iter().map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).collect();
    if out.len() > max {
        return Err(DomainError::invalid(field, "too_many"));
    }
    if out.iter().any(|n| n.chars().count() > 50) {
        return Err(DomainError::invalid(field, "too_long"));
    }
    if out.iter().enumerate().any(|(i, n)| out[..i].contains(n)) {
        return Err(DomainError::invalid(field, "duplicate"));
    }
    Ok(out)
}

impl Meeting {
    /// Checks the record's own fields against `now`: a meeting in the past, a body of at least
    /// one member, attendees each named once and no more than the members, every one present
    /// counted in the vote (for, against or abstaining), minutes written.
    pub fn check(mut self, now: DateTime<Utc>) -> Result<Self, DomainError> {
        if self.stage.trim().is_empty() {
            return Err(DomainError::invalid("stage", "required"));
        }
        self.stage = self.stage.trim().to_owned();
        if self.held_at > now {
            return Err(DomainError::invalid("held_at", "in_future"));
        }
        if self.members_total == 0 {
            return Err(DomainError::invalid("members_total", "required"));
        }
        if self.members_total > MAX_MEMBERS {
            return Err(DomainError::invalid("members_total", "out_of_range"));
        }
        self.attendees = names("attendees", &self.attendees, MAX_MEMBERS as usize)?;
        if self.attendees.is_empty() {
            return Err(DomainError::invalid("attendees", "required"));
        }
        if self.attendees.len() > self.members_total as usize {
            return Err(DomainError::invalid("attendees", "more_than_members"));
        }
        self.observers = names("observers", &self.observers, 200)?;
        if self.observers.iter().any(|o| self.attendees.contains(o)) {
            return Err(DomainError::invalid("observers", "also_an_attendee"));
        }
        if self.votes.total() != self.attendees.len() as u64 {
            return Err(DomainError::invalid("votes", "do_not_add_up"));
        }
        self.minutes = required_text("minutes", &self.minutes, 20_000)?;
        Ok(self)
    }

    /// Members present.
    pub fn present(&self) -> u32 {
        // Checked to be at most `members_total`, itself a u32.
        u32::try_from(self.attendees.len()).unwrap_or(u32::MAX)
    }
}

/// A document made public at a publication stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    /// The stage (its key, `publish_resolution` or `publish_result`).
    pub stage: String,
    /// A heading; empty takes the stage's name.
    #[serde(default)]
    pub title: String,
    /// The text as published.
    pub text: String,
}

impl Publication {
    /// Checks the document: the text is required.
    pub fn check(mut self) -> Result<Self, DomainError> {
        if self.stage.trim().is_empty() {
            return Err(DomainError::invalid("stage", "required"));
        }
        self.stage = self.stage.trim().to_owned();
        self.title = self.title.trim().to_owned();
        if self.title.chars().count() > 100 {
            return Err(DomainError::invalid("title", "too_long"));
        }
        self.text = required_text("text", &self.text, 20_000)?;
        Ok(self)
    }
}

/// A comment's text, checked.
pub fn comment_text(text: &str) -> Result<String, DomainError> {
    required_text("text", text, 2000)
}

/// A person's name as public pages show it: the first character, then one `*` per character
/// hidden (`张三` → `张*`, `欧阳娜娜` → `欧***`); a one-character name is hidden whole.
pub fn mask_name(name: &str) -> String {
    let name = name.trim();
    let mut chars = name.chars();
    match (chars.next(), name.chars().count()) {
        (None, _) => String::new(),
        (Some(_), 1) => "*".into(),
        (Some(first), n) => std::iter::once(first).chain(std::iter::repeat_n('*', n - 1)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-20T12:00:00+08:00").expect("t").with_timezone(&Utc)
    }

    fn meeting(attendees: &[&str], votes: (u32, u32, u32)) -> Meeting {
        Meeting {
            stage: "discuss".into(),
            held_at: now() - Duration::hours(2),
            members_total: 7,
            attendees: attendees.iter().map(|s| (*s).to_owned()).collect(),
            observers: vec![],
            votes: Votes { yes: votes.0, against: votes.1, abstain: votes.2 },
            minutes: "讨论修路方案".into(),
        }
    }

    #[test]
    fn a_meeting_counts_everyone_present_once() {
        let ok = meeting(&["书记", " 主任 ", "委员甲", ""], (2, 1, 0)).check(now()).expect("valid");
        assert_eq!(ok.attendees, ["书记", "主任", "委员甲"], "trimmed, blanks dropped");
        assert_eq!(ok.present(), 3);
        let refused = |m: Meeting, field: &'static str, reason: &'static str| {
            assert_eq!(m.check(now()), Err(DomainError::invalid(field, reason)));
        };
        refused(meeting(&["甲", "乙", "丙"], (2, 0, 0)), "votes", "do_not_add_up");
        refused(meeting(&["甲", "乙", "丙"], (2, 1, 1)), "votes", "do_not_add_up");
        refused(meeting(&["甲", "乙", "甲"], (3, 0, 0)), "attendees", "duplicate");
        refused(meeting(&[], (0, 0, 0)), "attendees", "required");
        refused(meeting(&["1", "2", "3", "4", "5", "6", "7", "8"], (8, 0, 0)), "attendees", "more_than_members");
        let mut future = meeting(&["甲"], (1, 0, 0));
        future.held_at = now() + Duration::minutes(1);
        refused(future, "held_at", "in_future");
        let mut nobody = meeting(&["甲"], (1, 0, 0));
        nobody.members_total = 0;
        refused(nobody, "members_total", "required");
        let mut huge = meeting(&["甲"], (1, 0, 0));
        huge.members_total = MAX_MEMBERS + 1;
        refused(huge, "members_total", "out_of_range");
        let mut blank = meeting(&["甲"], (1, 0, 0));
        blank.minutes = "  ".into();
        refused(blank, "minutes", "required");
        let mut both = meeting(&["甲"], (1, 0, 0));
        both.observers = vec!["甲".into()];
        refused(both, "observers", "also_an_attendee");
        let mut no_stage = meeting(&["甲"], (1, 0, 0));
        no_stage.stage = " ".into();
        refused(no_stage, "stage", "required");
    }

    #[test]
    fn votes_serialise_as_for_against_abstain() {
        let v: Votes = serde_json::from_str(r#"{"for":5,"against":1,"abstain":0}"#).expect("json");
        assert_eq!((v.yes, v.total()), (5, 6));
        assert_eq!(serde_json::to_string(&v).expect("json"), r#"{"for":5,"against":1,"abstain":0}"#);
    }

    #[test]
    fn a_publication_needs_its_text() {
        let p = Publication { stage: "publish_result".into(), title: String::new(), text: " ".into() };
        assert_eq!(p.clone().check(), Err(DomainError::invalid("text", "required")));
        let ok = Publication { text: "道路已硬化完成".into(), ..p }.check().expect("ok");
        assert_eq!(ok.text, "道路已硬化完成");
    }

    #[test]
    fn names_are_masked_after_the_first_character() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_name("王"), "*");
        assert_eq!(mask_name(" "), "");
        assert!(!mask_name("李四").contains('四'));
    }
}
