//! The double-entry points ledger.
//!
//! Every movement of points is one [`Entry`]: two or more postings whose amounts sum to zero, so
//! points are never made or lost, only moved. Points come into being on a community's **issuing
//! account** (its balance is minus everything it has issued, the only balance that may be
//! negative), move to a resident's **member account** when earned, to the community shop's
//! **held account** when reserved for goods, and on to its **spent account** when the goods are
//! handed over; a cancelled reservation is reversed back to the member by a mirror entry.
//!
//! | entry | debit (−) | credit (+) |
//! |---|---|---|
//! | report_true, service, attendance | issuing account of the area | member |
//! | redeem | member | held account of the shop's area |
//! | refund (reverses a redeem) | held | member |
//! | hand_over | held | spent |
//!
//! [`Entry::post`] decides an entry against the balances it touches: no account other than an
//! issuing account may go below zero. Storage applies the same rule as a guarded update, so
//! concurrent redemptions cannot overspend.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::amount::Points;
use crate::DomainError;
use crate::area::AreaCode;
use crate::ids::UserId;

/// What an account is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// An area's issuing account: the source of the points earned there.
    Issue,
    /// A resident's points.
    Member,
    /// Points reserved for goods not yet handed over, per shop area.
    Held,
    /// Points spent on goods handed over, per shop area.
    Spent,
}

impl AccountKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issue => "issue",
            Self::Member => "member",
            Self::Held => "held",
            Self::Spent => "spent",
        }
    }
}

/// One account of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Account {
    /// The issuing account of an area (a community, or the area an activity belongs to).
    Issue(AreaCode),
    /// A resident's account.
    Member(UserId),
    /// The shop of an area: points of reserved redemptions.
    Held(AreaCode),
    /// The shop of an area: points of goods handed over.
    Spent(AreaCode),
}

impl Account {
    /// The kind.
    pub fn kind(&self) -> AccountKind {
        match self {
            Self::Issue(_) => AccountKind::Issue,
            Self::Member(_) => AccountKind::Member,
            Self::Held(_) => AccountKind::Held,
            Self::Spent(_) => AccountKind::Spent,
        }
    }

    /// The stored key, e.g. `member:0190…` or `issue:439901001001`. Keys sort by kind first,
    /// which is the order storage locks accounts in.
    pub fn key(&self) -> String {
        match self {
            Self::Issue(a) => format!("issue:{a}"),
            Self::Member(u) => format!("member:{u}"),
            Self::Held(a) => format!("held:{a}"),
            Self::Spent(a) => format!("spent:{a}"),
        }
    }

    /// Reads a stored key back.
    pub fn parse_key(text: &str) -> Result<Self, DomainError> {
        let bad = || DomainError::invalid("account", "unknown_value");
        let (kind, rest) = text.split_once(':').ok_or_else(bad)?;
        let area = || AreaCode::parse(rest).map_err(|_| bad());
        Ok(match kind {
            "issue" => Self::Issue(area()?),
            "member" => Self::Member(UserId::parse(rest).map_err(|_| bad())?),
            "held" => Self::Held(area()?),
            "spent" => Self::Spent(area()?),
            _ => return Err(bad()),
        })
    }

    /// The owner as stored beside the key: an area code or a user id.
    pub fn owner(&self) -> String {
        match self {
            Self::Issue(a) | Self::Held(a) | Self::Spent(a) => a.to_string(),
            Self::Member(u) => u.to_string(),
        }
    }

    /// Only an issuing account may go below zero: it is where points come from.
    pub fn may_go_negative(&self) -> bool {
        matches!(self, Self::Issue(_))
    }
}

crate::case::kinds::vocabulary!(
    /// Why points moved.
    EntryKind, "entry_kind", {
        /// 反映问题属实: the resident's report proved true (the case closed with a true result).
        ReportTrue = "report_true", "反映问题属实", "Report proved true";
        /// 志愿服务: hours of volunteer service.
        Service = "service", "志愿服务", "Volunteer service";
        /// 参加活动: attending a meeting or activity.
        Attendance = "attendance", "参加活动", "Attendance";
        /// 兑换: points reserved for goods.
        Redeem = "redeem", "兑换物品", "Redemption";
        /// 退还: a cancelled redemption, reversed.
        Refund = "refund", "取消兑换退还", "Refund";
        /// 领取: goods handed over.
        HandOver = "hand_over", "物品已领取", "Goods handed over";
    }
);

impl EntryKind {
    /// Whether entries of this kind issue new points to a member.
    pub fn earns(self) -> bool {
        matches!(self, Self::ReportTrue | Self::Service | Self::Attendance)
    }
}

/// One side of an entry: a signed amount on an account (positive adds to its balance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    /// The account.
    pub account: Account,
    /// The amount; never zero.
    pub amount: i64,
}

/// A balanced ledger entry. Only the constructors make one, so every entry that exists sums to
/// zero, has no zero posting and names each account once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    kind: EntryKind,
    postings: Vec<Posting>,
}

fn positive(field: &'static str, points: Points) -> Result<i64, DomainError> {
    if points.is_zero() { Err(DomainError::invalid(field, "must_be_positive")) } else { Ok(points.get()) }
}

impl Entry {
    fn two(kind: EntryKind, from: Account, to: Account, amount: i64) -> Self {
        Self { kind, postings: vec![Posting { account: from, amount: -amount }, Posting { account: to, amount }] }
    }

    /// Points earned by a member, issued by the area's issuing account.
    pub fn earn(kind: EntryKind, area: AreaCode, member: UserId, points: Points) -> Result<Self, DomainError> {
        if !kind.earns() {
            return Err(DomainError::invalid("entry_kind", "unknown_value"));
        }
        let p = positive("points", points)?;
        Ok(Self::two(kind, Account::Issue(area), Account::Member(member), p))
    }

    /// A member's points reserved for goods of the shop of `shop_area`.
    pub fn redeem(member: UserId, shop_area: AreaCode, points: Points) -> Result<Self, DomainError> {
        let p = positive("points", points)?;
        Ok(Self::two(EntryKind::Redeem, Account::Member(member), Account::Held(shop_area), p))
    }

    /// Goods handed over: their points leave the held account for good.
    pub fn hand_over(shop_area: AreaCode, points: Points) -> Result<Self, DomainError> {
        let p = positive("points", points)?;
        Ok(Self::two(EntryKind::HandOver, Account::Held(shop_area.clone()), Account::Spent(shop_area), p))
    }

    /// The mirror of a redemption, posted when it is cancelled: every posting negated. Only a
    /// redemption is reversed; earned points and handed-over goods stay as they are.
    pub fn reversal(&self) -> Result<Self, DomainError> {
        if self.kind != EntryKind::Redeem {
            return Err(DomainError::Rule { rule: "only_redemptions_are_reversed" });
        }
        let postings =
            self.postings.iter().map(|p| Posting { account: p.account.clone(), amount: -p.amount }).collect();
        Ok(Self { kind: EntryKind::Refund, postings })
    }

    /// The kind.
    pub fn kind(&self) -> EntryKind {
        self.kind
    }

    /// The postings, in the order storage locks their accounts (by key).
    pub fn postings(&self) -> Vec<Posting> {
        let mut p = self.postings.clone();
        p.sort_by_key(|x| x.account.key());
        p
    }

    /// The member whose points this entry moves, if any.
    pub fn member(&self) -> Option<UserId> {
        self.postings.iter().find_map(|p| match p.account {
            Account::Member(u) => Some(u),
            _ => None,
        })
    }

    /// The member's side of the entry (positive when they gain).
    pub fn member_delta(&self) -> i64 {
        self.postings.iter().filter(|p| p.account.kind() == AccountKind::Member).map(|p| p.amount).sum()
    }

    /// Decides the entry against the current balances of its accounts (`balance` answers for
    /// each): the balances after it, or a refusal when an account that may not go negative would.
    /// A member short of points is refused as `insufficient_points`; any other account as
    /// `ledger_overdrawn` (that would be a bug, never a user's mistake).
    pub fn post(&self, balance: impl Fn(&Account) -> i64) -> Result<Vec<(Account, i64)>, DomainError> {
        let mut out = Vec::with_capacity(self.postings.len());
        for p in self.postings() {
            let after =
                balance(&p.account).checked_add(p.amount).ok_or(DomainError::Rule { rule: "ledger_overflow" })?;
            if after < 0 && !p.account.may_go_negative() {
                let rule =
                    if p.account.kind() == AccountKind::Member { "insufficient_points" } else { "ledger_overdrawn" };
                return Err(DomainError::Rule { rule });
            }
            out.push((p.account, after));
        }
        Ok(out)
    }
}

/// Balances by account, kept by replaying entries: what the property tests (and a check of a
/// stored ledger) compare the stored balances with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Book(pub BTreeMap<Account, i64>);

impl Book {
    /// Posts an entry if it may be posted; nothing changes on a refusal.
    pub fn post(&mut self, entry: &Entry) -> Result<(), DomainError> {
        let after = entry.post(|a| self.0.get(a).copied().unwrap_or(0))?;
        for (a, b) in after {
            self.0.insert(a, b);
        }
        Ok(())
    }

    /// The balance of one account.
    pub fn balance(&self, account: &Account) -> i64 {
        self.0.get(account).copied().unwrap_or(0)
    }

    /// The sum of every balance: zero in a whole ledger.
    pub fn total(&self) -> i64 {
        self.0.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn community(n: u8) -> AreaCode {
        AreaCode::parse(&format!("43990100100{}", n % 9 + 1)).expect("community")
    }

    fn pts(n: i64) -> Points {
        Points::new("points", n).expect("points")
    }

    #[test]
    fn entries_balance_and_name_their_member() {
        let u = UserId::new();
        let e = Entry::earn(EntryKind::Service, community(0), u, pts(30)).expect("earn");
        assert_eq!(e.postings().iter().map(|p| p.amount).sum::<i64>(), 0);
        assert_eq!(e.member(), Some(u));
        assert_eq!(e.member_delta(), 30);
        let r = Entry::redeem(u, community(1), pts(12)).expect("redeem");
        assert_eq!(r.member_delta(), -12);
        let back = r.reversal().expect("reversal");
        assert_eq!(back.kind(), EntryKind::Refund);
        assert_eq!(back.member_delta(), 12);
        assert_eq!(back.reversal(), Err(DomainError::Rule { rule: "only_redemptions_are_reversed" }));
        assert_eq!(e.reversal(), Err(DomainError::Rule { rule: "only_redemptions_are_reversed" }));
        // Zero moves nothing and is refused; a spending kind cannot be "earned".
        assert_eq!(
            Entry::redeem(u, community(1), Points::ZERO),
            Err(DomainError::invalid("points", "must_be_positive"))
        );
        assert!(Entry::earn(EntryKind::Redeem, community(0), u, pts(1)).is_err());
    }

    #[test]
    fn keys_round_trip_and_sort_by_kind() {
        let u = UserId::new();
        let accounts = [
            Account::Issue(community(2)),
            Account::Member(u),
            Account::Held(community(3)),
            Account::Spent(community(4)),
        ];
        for a in &accounts {
            assert_eq!(Account::parse_key(&a.key()).as_ref(), Ok(a));
        }
        let mut keys: Vec<String> = accounts.iter().map(Account::key).collect();
        keys.sort();
        assert!(keys[0].starts_with("held:") && keys[1].starts_with("issue:") && keys[2].starts_with("member:"));
        for bad in ["", "member:x", "issue:123", "bank:439901001001"] {
            assert!(Account::parse_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_member_cannot_spend_what_they_do_not_have() {
        let u = UserId::new();
        let mut book = Book::default();
        book.post(&Entry::earn(EntryKind::ReportTrue, community(0), u, pts(50)).expect("e")).expect("earn");
        let before = book.clone();
        assert_eq!(
            book.post(&Entry::redeem(u, community(0), pts(51)).expect("r")),
            Err(DomainError::Rule { rule: "insufficient_points" })
        );
        assert_eq!(book, before, "a refusal changes nothing");
        book.post(&Entry::redeem(u, community(0), pts(50)).expect("r")).expect("exactly the balance");
        assert_eq!(book.balance(&Account::Member(u)), 0);
        assert_eq!(book.balance(&Account::Issue(community(0))), -50);
        // Handing over more than is held would overdraw the shop: refused as a bug, not a user error.
        assert_eq!(
            book.post(&Entry::hand_over(community(0), pts(60)).expect("h")),
            Err(DomainError::Rule { rule: "ledger_overdrawn" })
        );
        assert_eq!(book.total(), 0);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Earn(usize, u8, i64),
        Redeem(usize, u8, i64),
        Cancel(usize),
        HandOver(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..4usize, 0..3u8, 1..200i64).prop_map(|(m, c, p)| Op::Earn(m, c, p)),
            (0..4usize, 0..3u8, 1..200i64).prop_map(|(m, c, p)| Op::Redeem(m, c, p)),
            (0..50usize).prop_map(Op::Cancel),
            (0..50usize).prop_map(Op::HandOver),
        ]
    }

    proptest! {
        /// Whatever happens, in any order: the ledger sums to zero, no member or shop account is
        /// ever negative, and each member's balance is what they earned, less what they reserved,
        /// plus what was refunded.
        #[test]
        fn any_sequence_keeps_the_ledger_whole(ops in prop::collection::vec(op(), 0..120)) {
            let members: Vec<UserId> = (0..4).map(|_| UserId::new()).collect();
            let mut book = Book::default();
            let mut earned = [0i64; 4];
            let mut spent = [0i64; 4];
            // Reserved redemptions: (member index, shop, entry); None once cancelled or handed over.
            let mut open: Vec<Option<(usize, u8, Entry)>> = Vec::new();
            for o in &ops {
                match o {
                    Op::Earn(m, c, p) => {
                        let e = Entry::earn(EntryKind::Service, community(*c), members[*m], pts(*p)).expect("earn");
                        book.post(&e).expect("earning never fails");
                        earned[*m] += p;
                    }
                    Op::Redeem(m, c, p) => {
                        let e = Entry::redeem(members[*m], community(*c), pts(*p)).expect("redeem");
                        let had = book.balance(&Account::Member(members[*m]));
                        match book.post(&e) {
                            Ok(()) => {
                                prop_assert!(had >= *p);
                                spent[*m] += p;
                                open.push(Some((*m, *c, e)));
                            }
                            Err(err) => {
                                prop_assert!(had < *p);
                                prop_assert_eq!(err, DomainError::Rule { rule: "insufficient_points" });
                            }
                        }
                    }
                    Op::Cancel(i) => {
                        if let Some(slot) = open.get_mut(*i) && let Some((m, _, e)) = slot.take() {
                            book.post(&e.reversal().expect("reversal")).expect("a reservation can always be refunded");
                            spent[m] -= -e.member_delta();
                        }
                    }
                    Op::HandOver(i) => {
                        if let Some(slot) = open.get_mut(*i) && let Some((_, c, e)) = slot.take() {
                            let p = pts(-e.member_delta());
                            book.post(&Entry::hand_over(community(c), p).expect("h")).expect("held points can be handed over");
                        }
                    }
                }
                prop_assert_eq!(book.total(), 0);
                for (a, b) in &book.0 {
                    prop_assert!(*b >= 0 || a.may_go_negative(), "{:?} at {}", a, b);
                }
            }
            for (i, m) in members.iter().enumerate() {
                prop_assert_eq!(book.balance(&Account::Member(*m)), earned[i] - spent[i]);
            }
            // Held points are exactly the open reservations of each shop.
            for c in 0..3u8 {
                let open_sum: i64 = open.iter().flatten().filter(|(_, s, _)| *s == c).map(|(_, _, e)| -e.member_delta()).sum();
                prop_assert_eq!(book.balance(&Account::Held(community(c))), open_sum);
            }
        }
    }
}
