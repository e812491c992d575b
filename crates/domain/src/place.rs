//! Where a thing with a place belongs (DESIGN §3): a case, house, entity or camera with
//! coordinates gets the grid its point lies in; without coordinates it keeps the area it was given.
//!
//! The rule, in order:
//! 1. the point lies in a grid → that grid, unless the given area is a micro-grid inside it (the
//!    finer choice of someone who knows the place wins); a given area elsewhere is overruled,
//!    because coordinates from a phone are better evidence than a picked name;
//! 2. the point lies in no grid → the given area, else the fallback (the centre of the person
//!    registering it), and the thing is flagged `off_grid` so the centre places it by hand — it is
//!    kept, never refused;
//! 3. no point → the given area, which is then required.
//!
//! Which grid a point on a shared border belongs to is decided by the geo crate's index (lowest
//! code wins); this module only decides between the point's answer and what was typed.

use crate::area::{AreaCode, AreaLevel};
use crate::error::DomainError;

/// What the grid index said about a point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// The point lies in this grid.
    Grid(AreaCode),
    /// The point lies in no grid.
    Outside,
    /// There was no point.
    NoPoint,
}

/// The decided place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The area the thing belongs to.
    pub area: AreaCode,
    /// Its point lies in no grid; the centre must place it.
    pub off_grid: bool,
}

/// Decides the area of a thing from where its point lies and the area typed for it.
pub fn place(located: Located, given: Option<AreaCode>, fallback: &AreaCode) -> Result<Placement, DomainError> {
    match located {
        Located::Grid(grid) => {
            let area = match given {
                Some(g) if g.level() == AreaLevel::MicroGrid && g.is_within(&grid) => g,
                _ => grid,
            };
            Ok(Placement { area, off_grid: false })
        }
        Located::Outside => Ok(Placement { area: given.unwrap_or_else(|| fallback.clone()), off_grid: true }),
        Located::NoPoint => match given {
            Some(area) => Ok(Placement { area, off_grid: false }),
            None => Err(DomainError::Invalid { field: "area_code", reason: "missing" }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).expect("code")
    }

    #[test]
    fn the_point_overrules_a_typed_area_elsewhere() {
        let p = place(Located::Grid(code("439901001001001")), Some(code("439901002001001")), &code("439900000000"))
            .expect("placed");
        assert_eq!(p, Placement { area: code("439901001001001"), off_grid: false });
    }

    #[test]
    fn a_micro_grid_inside_the_located_grid_is_kept() {
        let micro = code("439901001001001001");
        let p =
            place(Located::Grid(code("439901001001001")), Some(micro.clone()), &code("439900000000")).expect("placed");
        assert_eq!(p.area, micro);
        let other_micro = code("439901001001002001");
        let p =
            place(Located::Grid(code("439901001001001")), Some(other_micro), &code("439900000000")).expect("placed");
        assert_eq!(p.area, code("439901001001001"));
    }

    #[test]
    fn outside_every_grid_is_kept_and_flagged() {
        let p = place(Located::Outside, None, &code("439901000000")).expect("placed");
        assert_eq!(p, Placement { area: code("439901000000"), off_grid: true });
        let p = place(Located::Outside, Some(code("439901001001001")), &code("439901000000")).expect("placed");
        assert_eq!(p, Placement { area: code("439901001001001"), off_grid: true });
    }

    #[test]
    fn without_a_point_the_area_is_required() {
        assert_eq!(
            place(Located::NoPoint, None, &code("439901000000")),
            Err(DomainError::Invalid { field: "area_code", reason: "missing" })
        );
        let p = place(Located::NoPoint, Some(code("439901001001")), &code("439901000000")).expect("placed");
        assert_eq!(p, Placement { area: code("439901001001"), off_grid: false });
    }
}
