//! Reference data every deployment starts with (being written).
