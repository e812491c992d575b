//! Activities: created by staff for an area, signed up for by registered volunteers, attendance
//! recorded by staff — which, in the same transaction, credits service hours (for volunteer
//! service) and posts the points the area's rules give, once per volunteer and activity.
//!
//! Each move is decided by [`decide_activity`] on the row read in the transaction, and written by a
//! statement guarded by the same condition (places left, state), so concurrent sign-ups never
//! take more places than there are.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shiyu_domain::DomainError;
use shiyu_domain::area::AreaCode;
use shiyu_domain::ids::{ActivityId, TeamId, UserId, VolunteerId};
use shiyu_domain::points::access::{PointsAct, may, points_root, role_may};
use shiyu_domain::points::volunteer::decide_activity;
use shiyu_domain::points::{
    ActivityKind, ActivityMove, ActivityPlan, ActivityState, ActivityView, Entry, EntryKind, Minutes,
};
use shiyu_domain::scope::Principal;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::{EntryMeta, Posted};
use crate::cases::{Arg, Query};
use crate::db::Store;
use crate::error::{Result, StorageError};
use crate::sql::{from_ms, ms};

/// An activity as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityRecord {
    /// Id.
    pub id: ActivityId,
    /// Its area.
    pub area_code: AreaCode,
    /// The team that runs it, if any: id and name.
    pub team: Option<(TeamId, String)>,
    /// Service or meeting.
    pub kind: ActivityKind,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Where.
    pub place: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Places.
    pub capacity: u32,
    /// Places taken.
    pub signed_up: u32,
    /// State.
    pub state: ActivityState,
    /// Why it was cancelled, if it was.
    pub note: String,
}

impl ActivityRecord {
    fn view(&self) -> ActivityView {
        ActivityView {
            state: self.state,
            capacity: self.capacity,
            signed_up: self.signed_up,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        }
    }
}

/// What attendance earned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Attended {
    /// Time credited.
    pub minutes: Minutes,
    /// Whether it counts as volunteer service (hours).
    pub service: bool,
    /// Points paid.
    pub points: i64,
}

/// A volunteer signed up, for staff (phone masked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignUpLine {
    /// The volunteer.
    pub volunteer_id: VolunteerId,
    /// Name.
    pub name: String,
    /// Phone, masked.
    pub phone_masked: String,
    /// When they signed up.
    pub signed_up_at: DateTime<Utc>,
    /// Their attendance, once recorded.
    pub attended: Option<Attended>,
}

/// An activity with what the reader may see of its participants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActivityDetail {
    /// The activity.
    pub activity: ActivityRecord,
    /// Everyone signed up (staff of its area only; empty for others).
    pub signups: Vec<SignUpLine>,
    /// The reader's own place, if they signed up.
    pub mine: Option<SignUpLine>,
    /// Whether the reader manages it.
    pub manages: bool,
}

/// What someone does with an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityAction {
    /// The signed-in volunteer takes a place.
    SignUp,
    /// The signed-in volunteer gives it back.
    Withdraw,
    /// Staff record a volunteer's attendance.
    Attend {
        /// Who.
        volunteer: VolunteerId,
        /// For how long (default the whole activity).
        minutes: Option<u32>,
    },
    /// Staff close the attendance.
    Close,
    /// Staff call it off.
    Cancel {
        /// Why.
        reason: String,
    },
}

/// Which activities a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityFilter {
    /// Only under this area.
    pub area: Option<AreaCode>,
    /// Only those still taking sign-ups (open or full, not yet ended).
    pub upcoming: bool,
    /// At most.
    pub limit: u32,
}

const COLS: &str = "a.id, a.area_code, a.team_id, t.name AS team_name, a.kind, a.title, a.description, a.place, \
                    a.starts_at, a.ends_at, a.capacity, a.signed_up, a.state, a.note";
const FROM: &str = "FROM activities a LEFT JOIN volunteer_teams t ON t.id = a.team_id";

fn corrupt() -> StorageError {
    StorageError::Corrupt("activity")
}

fn record_of(r: &AnyRow) -> Result<ActivityRecord> {
    let team = match (r.try_get::<Option<String>, _>("team_id")?, r.try_get::<Option<String>, _>("team_name")?) {
        (Some(id), name) => Some((TeamId::parse(&id).map_err(|_| corrupt())?, name.unwrap_or_default())),
        _ => None,
    };
    let count = |c: &str| -> Result<u32> { u32::try_from(r.try_get::<i64, _>(c)?).map_err(|_| corrupt()) };
    Ok(ActivityRecord {
        id: ActivityId::parse(&r.try_get::<String, _>("id")?).map_err(|_| corrupt())?,
        area_code: super::area(&r.try_get::<String, _>("area_code")?)?,
        team,
        kind: ActivityKind::parse(&r.try_get::<String, _>("kind")?).map_err(|_| corrupt())?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        place: r.try_get("place")?,
        starts_at: from_ms(r.try_get("starts_at")?),
        ends_at: from_ms(r.try_get("ends_at")?),
        capacity: count("capacity")?,
        signed_up: count("signed_up")?,
        state: ActivityState::parse(&r.try_get::<String, _>("state")?).map_err(|_| corrupt())?,
        note: r.try_get("note")?,
    })
}

fn attended_of(r: &AnyRow) -> Result<Option<Attended>> {
    Ok(match r.try_get::<Option<i64>, _>("minutes")? {
        Some(m) => Some(Attended {
            minutes: Minutes(u32::try_from(m).map_err(|_| corrupt())?),
            service: r.try_get::<Option<i64>, _>("service")?.unwrap_or(0) != 0,
            points: r.try_get::<Option<i64>, _>("points")?.unwrap_or(0),
        }),
        None => None,
    })
}

impl Store {
    /// Creates an activity.
    pub async fn create_activity(
        &self,
        actor: &Principal,
        plan: ActivityPlan,
        team: Option<TeamId>,
        now: DateTime<Utc>,
    ) -> Result<ActivityRecord> {
        if !role_may(actor.role, PointsAct::Manage) {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "create_activity" }.into());
        }
        let plan = plan.check()?;
        if !may(actor, PointsAct::Manage, &plan.area) {
            return Err(DomainError::invalid("area_code", "outside_scope").into());
        }
        self.area(&plan.area).await.map_err(|_| DomainError::invalid("area_code", "unknown_area"))?;
        if let Some(t) = team {
            let row = sqlx::query("SELECT area_code FROM volunteer_teams WHERE id = $1")
                .bind(t.to_string())
                .fetch_optional(&self.pool)
                .await?
                .ok_or(DomainError::invalid("team", "unknown_team"))?;
            let team_area = super::area(&row.try_get::<String, _>("area_code")?)?;
            if !may(actor, PointsAct::Manage, &team_area) {
                return Err(DomainError::invalid("team", "unknown_team").into());
            }
        }
        let id = ActivityId::new();
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO activities (city, id, area_code, team_id, kind, title, description, place, starts_at, ends_at, \
             capacity, signed_up, state, note, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             $9, $10, $11, 0, 'open', '', $12, $13, $13)",
        )
        .bind(plan.area.city_key().as_str())
        .bind(id.to_string())
        .bind(plan.area.as_str())
        .bind(team.map(|t| t.to_string()))
        .bind(plan.kind.as_str())
        .bind(plan.title.as_str())
        .bind(plan.description.as_str())
        .bind(plan.place.as_str())
        .bind(ms(plan.starts_at))
        .bind(ms(plan.ends_at))
        .bind(i64::from(plan.capacity))
        .bind(actor.user_id.to_string())
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        self.activity_record(id).await
    }

    async fn activity_record(&self, id: ActivityId) -> Result<ActivityRecord> {
        let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("activity"))?;
        record_of(&row)
    }

    /// Activities for the reader: staff see those of their subtree; residents those still taking
    /// sign-ups anywhere (public notices). Soonest first for upcoming lists, newest first
    /// otherwise.
    pub async fn activities(
        &self,
        actor: &Principal,
        filter: &ActivityFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<ActivityRecord>> {
        let mut q = Query::new(&format!("SELECT {COLS} {FROM} WHERE 1 = 1"));
        let upcoming = match points_root(actor, PointsAct::Read) {
            Some(root) => {
                let root = match &filter.area {
                    Some(a) if a.is_within(&root) => a.clone(),
                    Some(_) => return Err(DomainError::invalid("area_code", "outside_scope").into()),
                    None => root,
                };
                q.within("a.area_code", root.scope_prefix());
                filter.upcoming
            }
            None => {
                if let Some(a) = &filter.area {
                    q.within("a.area_code", a.scope_prefix());
                }
                true
            }
        };
        if upcoming {
            q.raw(" AND a.state IN ('open', 'full')");
            q.push(" AND a.ends_at > ?", Arg::Int(ms(now)));
            q.raw(" ORDER BY a.starts_at, a.id");
        } else {
            q.raw(" ORDER BY a.starts_at DESC, a.id");
        }
        q.push(" LIMIT ?", Arg::Int(i64::from(filter.limit.clamp(1, 1000))));
        q.build().fetch_all(&self.pool).await?.iter().map(record_of).collect()
    }

    /// The activities a volunteer signed up for, newest first, with their attendance.
    pub async fn my_activities(&self, user: UserId, limit: u32) -> Result<Vec<(ActivityRecord, Option<Attended>)>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLS}, x.minutes, x.service, x.points {FROM} \
             JOIN activity_signups s ON s.activity_id = a.id JOIN volunteers v ON v.id = s.volunteer_id \
             LEFT JOIN attendance x ON x.activity_id = a.id AND x.volunteer_id = v.id \
             WHERE v.user_id = $1 ORDER BY a.starts_at DESC LIMIT $2"
        ))
        .bind(user.to_string())
        .bind(i64::from(limit.clamp(1, 1000)))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((record_of(r)?, attended_of(r)?))).collect()
    }

    /// One activity. Staff of its area see who signed up (phones masked); anyone else sees it as
    /// a public notice, with their own place if they have one.
    pub async fn activity(&self, actor: &Principal, id: ActivityId) -> Result<ActivityDetail> {
        let activity = self.activity_record(id).await?;
        let manages = may(actor, PointsAct::Manage, &activity.area_code);
        let staff = role_may(actor.role, PointsAct::Read);
        if staff && !manages {
            return Err(StorageError::NotFound("activity"));
        }
        let rows = sqlx::query(
            "SELECT v.id, v.user_id, v.name, v.phone_masked, s.signed_up_at, x.minutes, x.service, x.points \
             FROM activity_signups s JOIN volunteers v ON v.id = s.volunteer_id \
             LEFT JOIN attendance x ON x.activity_id = s.activity_id AND x.volunteer_id = s.volunteer_id \
             WHERE s.activity_id = $1 ORDER BY s.signed_up_at, v.id",
        )
        .bind(id.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut signups = Vec::with_capacity(rows.len());
        let mut mine = None;
        for r in &rows {
            let line = SignUpLine {
                volunteer_id: VolunteerId::parse(&r.try_get::<String, _>("id")?).map_err(|_| corrupt())?,
                name: r.try_get("name")?,
                phone_masked: r.try_get("phone_masked")?,
                signed_up_at: from_ms(r.try_get("signed_up_at")?),
                attended: attended_of(r)?,
            };
            if r.try_get::<String, _>("user_id")? == actor.user_id.to_string() {
                mine = Some(line.clone());
            }
            if manages {
                signups.push(line);
            }
        }
        Ok(ActivityDetail { activity, signups, mine, manages })
    }

    /// Does something with an activity in one transaction and returns it as the actor sees it
    /// afterwards.
    pub async fn activity_action(
        &self,
        actor: &Principal,
        id: ActivityId,
        action: ActivityAction,
        now: DateTime<Utc>,
    ) -> Result<ActivityDetail> {
        let mut w = self.begin_write().await?;
        let row = sqlx::query(&format!("SELECT {COLS} {FROM} WHERE a.id = $1"))
            .bind(id.to_string())
            .fetch_optional(&mut *w.tx)
            .await?
            .ok_or(StorageError::NotFound("activity"))?;
        let a = record_of(&row)?;
        let staff_act = !matches!(action, ActivityAction::SignUp | ActivityAction::Withdraw);
        if staff_act {
            if !may(actor, PointsAct::Manage, &a.area_code) {
                return Err(if role_may(actor.role, PointsAct::Manage) {
                    StorageError::NotFound("activity")
                } else {
                    DomainError::Forbidden { role: actor.role.as_str(), action: "manage_activity" }.into()
                });
            }
        } else if !role_may(actor.role, PointsAct::Take) {
            return Err(DomainError::Forbidden { role: actor.role.as_str(), action: "sign_up" }.into());
        }
        match action {
            ActivityAction::SignUp => self.sign_up_in(&mut w.tx, actor, &a, now).await?,
            ActivityAction::Withdraw => self.withdraw_in(&mut w.tx, actor, &a, now).await?,
            ActivityAction::Attend { volunteer, minutes } => {
                self.attend_in(&mut w.tx, actor, &a, volunteer, minutes, now).await?
            }
            ActivityAction::Close => {
                decide_activity(&a.view(), &ActivityMove::Close, now)?;
                guarded(&mut w.tx, "state = 'closed'", "state = 'held'", &a, now, None).await?;
            }
            ActivityAction::Cancel { reason } => {
                decide_activity(&a.view(), &ActivityMove::Cancel { reason: reason.clone() }, now)?;
                guarded(&mut w.tx, "state = 'cancelled'", "state IN ('open', 'full')", &a, now, Some(reason.trim()))
                    .await?;
            }
        }
        w.tx.commit().await?;
        self.activity(actor, id).await
    }

    async fn own_volunteer(&self, tx: &mut Transaction<'static, Any>, user: UserId) -> Result<VolunteerId> {
        let row = sqlx::query("SELECT id FROM volunteers WHERE user_id = $1")
            .bind(user.to_string())
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(DomainError::invalid("volunteer", "not_registered"))?;
        VolunteerId::parse(&row.try_get::<String, _>("id")?).map_err(|_| corrupt())
    }

    async fn signed_up(&self, tx: &mut Transaction<'static, Any>, a: ActivityId, v: VolunteerId) -> Result<bool> {
        Ok(sqlx::query("SELECT 1 AS x FROM activity_signups WHERE activity_id = $1 AND volunteer_id = $2")
            .bind(a.to_string())
            .bind(v.to_string())
            .fetch_optional(&mut **tx)
            .await?
            .is_some())
    }

    async fn sign_up_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        actor: &Principal,
        a: &ActivityRecord,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let me = self.own_volunteer(tx, actor.user_id).await?;
        if self.signed_up(tx, a.id, me).await? {
            return Err(DomainError::invalid("activity", "already_signed_up").into());
        }
        decide_activity(&a.view(), &ActivityMove::SignUp, now)?;
        // The guard re-checks places and state on the row under its lock.
        let taken = sqlx::query(
            "UPDATE activities SET signed_up = signed_up + 1, \
             state = CASE WHEN signed_up + 1 >= capacity THEN 'full' ELSE 'open' END, updated_at = $1 \
             WHERE id = $2 AND state = 'open' AND signed_up < capacity AND ends_at > $1",
        )
        .bind(ms(now))
        .bind(a.id.to_string())
        .execute(&mut **tx)
        .await?;
        if taken.rows_affected() != 1 {
            return Err(DomainError::Rule { rule: "activity_full" }.into());
        }
        sqlx::query(
            "INSERT INTO activity_signups (city, activity_id, volunteer_id, signed_up_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(a.area_code.city_key().as_str())
        .bind(a.id.to_string())
        .bind(me.to_string())
        .bind(ms(now))
        .execute(&mut **tx)
        .await
        .map_err(|e| {
            if super::is_unique(&e) {
                DomainError::invalid("activity", "already_signed_up").into()
            } else {
                StorageError::Database(e)
            }
        })?;
        Ok(())
    }

    async fn withdraw_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        actor: &Principal,
        a: &ActivityRecord,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let me = self.own_volunteer(tx, actor.user_id).await?;
        if !self.signed_up(tx, a.id, me).await? {
            return Err(DomainError::invalid("activity", "not_signed_up").into());
        }
        decide_activity(&a.view(), &ActivityMove::Withdraw, now)?;
        let freed = sqlx::query(
            "UPDATE activities SET signed_up = signed_up - 1, state = 'open', updated_at = $1 \
             WHERE id = $2 AND state IN ('open', 'full') AND signed_up > 0 AND starts_at > $1",
        )
        .bind(ms(now))
        .bind(a.id.to_string())
        .execute(&mut **tx)
        .await?;
        if freed.rows_affected() != 1 {
            return Err(StorageError::Conflict("activity"));
        }
        sqlx::query("DELETE FROM activity_signups WHERE activity_id = $1 AND volunteer_id = $2")
            .bind(a.id.to_string())
            .bind(me.to_string())
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    async fn attend_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        actor: &Principal,
        a: &ActivityRecord,
        volunteer: VolunteerId,
        minutes: Option<u32>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        // The activity's state first: a closed activity refuses whoever is named.
        let (_, served) = decide_activity(&a.view(), &ActivityMove::Attend { minutes }, now)?;
        let row = sqlx::query("SELECT user_id FROM volunteers WHERE id = $1")
            .bind(volunteer.to_string())
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(DomainError::invalid("volunteer", "unknown_volunteer"))?;
        let member = super::user_id(&row.try_get::<String, _>("user_id")?)?;
        if !self.signed_up(tx, a.id, volunteer).await? {
            return Err(DomainError::invalid("volunteer", "not_signed_up").into());
        }
        let recorded = sqlx::query("SELECT 1 AS x FROM attendance WHERE activity_id = $1 AND volunteer_id = $2")
            .bind(a.id.to_string())
            .bind(volunteer.to_string())
            .fetch_optional(&mut **tx)
            .await?;
        if recorded.is_some() {
            return Err(DomainError::invalid("volunteer", "already_recorded").into());
        }
        let rules = self.point_rules(&a.area_code).await?.rules;
        let service = a.kind == ActivityKind::Service;
        let (points, kind) = if service {
            (rules.service_points(served), EntryKind::Service)
        } else {
            (rules.attendance, EntryKind::Attendance)
        };
        let city = a.area_code.city_key();
        sqlx::query(
            "INSERT INTO attendance (city, activity_id, volunteer_id, minutes, service, points, entry_id, recorded_by, \
             recorded_at) VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8)",
        )
        .bind(city.as_str())
        .bind(a.id.to_string())
        .bind(volunteer.to_string())
        .bind(i64::from(served.0))
        .bind(i64::from(service))
        .bind(points.get())
        .bind(actor.user_id.to_string())
        .bind(ms(now))
        .execute(&mut **tx)
        .await
        .map_err(|e| {
            if super::is_unique(&e) {
                DomainError::invalid("volunteer", "already_recorded").into()
            } else {
                StorageError::Database(e)
            }
        })?;
        if service {
            sqlx::query("UPDATE volunteers SET service_minutes = service_minutes + $1 WHERE id = $2")
                .bind(i64::from(served.0))
                .bind(volunteer.to_string())
                .execute(&mut **tx)
                .await?;
        }
        if !points.is_zero() {
            let entry = Entry::earn(kind, a.area_code.clone(), member, points)?;
            let meta = EntryMeta {
                idem_key: format!("attend:{}:{volunteer}", a.id),
                area: a.area_code.clone(),
                memo: a.title.clone(),
                ref_id: Some(a.id.to_string()),
                actor: Some(actor.user_id),
            };
            let entry_id = match self.post_entry(tx, &entry, meta, now).await? {
                Posted::New(e) | Posted::Already(e) => e,
            };
            sqlx::query("UPDATE attendance SET entry_id = $1 WHERE activity_id = $2 AND volunteer_id = $3")
                .bind(entry_id)
                .bind(a.id.to_string())
                .bind(volunteer.to_string())
                .execute(&mut **tx)
                .await?;
        }
        guarded(tx, "state = 'held'", "state IN ('open', 'full', 'held')", a, now, None).await
    }
}

/// Sets an activity's state under a guard that repeats the decision's condition.
async fn guarded(
    tx: &mut Transaction<'static, Any>,
    set: &str,
    when: &str,
    a: &ActivityRecord,
    now: DateTime<Utc>,
    note: Option<&str>,
) -> Result<()> {
    let sql =
        format!("UPDATE activities SET {set}, note = COALESCE($1, note), updated_at = $2 WHERE id = $3 AND {when}");
    let done = sqlx::query(&sql).bind(note).bind(ms(now)).bind(a.id.to_string()).execute(&mut **tx).await?;
    if done.rows_affected() != 1 {
        return Err(StorageError::Conflict("activity"));
    }
    Ok(())
}
