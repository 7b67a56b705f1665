//! gob placeholder
