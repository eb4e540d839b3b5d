//! (sprig helper)
