//! The domain's one error type. Each variant names the field or rule that failed, so the HTTP
//! layer can show a clear message in the user's language.

/// Why a value or a move was refused. Nothing has changed when one of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A field failed validation.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field's name as the API spells it.
        field: &'static str,
        /// Machine-readable reason code (translated at the edge).
        reason: &'static str,
    },
    /// The move is not allowed from the case's current state.
    #[error("move {action} is not allowed in state {state}")]
    IllegalMove {
        /// The move's wire name.
        action: &'static str,
        /// The state's wire name.
        state: &'static str,
    },
    /// The actor's role may not make this move.
    #[error("role {role} may not {action}")]
    Forbidden {
        /// The role's wire name.
        role: &'static str,
        /// The move's wire name.
        action: &'static str,
    },
    /// A rule of the case life forbids the move (e.g. no revisit recorded before closing).
    #[error("rule {rule} refuses the move")]
    Rule {
        /// Machine-readable rule code.
        rule: &'static str,
    },
}

impl DomainError {
    /// Shorthand for [`DomainError::Invalid`].
    pub fn invalid(field: &'static str, reason: &'static str) -> Self {
        Self::Invalid { field, reason }
    }
}
