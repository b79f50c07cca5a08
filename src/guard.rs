//! The never-panic guarantee's last line: a bug in ebguard turns into an internal error for
//! the one file or rule it hit, and the rest of the report still comes out.
//!
//! The release profile keeps `panic = "unwind"` so [`catch`] can stop the unwinding at the
//! file or rule that panicked. While a guarded closure runs, the panic hook stays quiet (the
//! message goes into the finding instead of onto stderr); panics anywhere else still print
//! through the hook that was installed before.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    /// Where the last guarded panic happened (`src/rules/x.rs:12:5`), set by the hook.
    static LAST_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL_HOOK: Once = Once::new();

fn install_hook() {
    INSTALL_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) {
                let at = info.location().map(|l| l.to_string());
                LAST_LOCATION.with(|slot| *slot.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`; a panic inside it becomes `Err` with the panic's message and where it happened.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    let was_guarded = GUARDED.with(|g| g.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was_guarded));
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        match LAST_LOCATION.with(|slot| slot.borrow_mut().take()) {
            Some(at) => format!("{message} (at {at})"),
            None => message,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message_and_place() {
        let err = catch(|| -> u8 { panic!("index {} out of range", 7) }).unwrap_err();
        assert!(
            err.starts_with("index 7 out of range (at src/guard.rs:"),
            "{err}"
        );
        let err = catch(|| -> u8 { std::panic::panic_any(42u32) }).unwrap_err();
        assert!(err.starts_with("a panic without a message"), "{err}");
    }

    #[test]
    fn no_panic_passes_the_value_through() {
        assert_eq!(catch(|| 5), Ok(5));
    }

    #[test]
    fn nested_guards_restore_the_outer_state() {
        let outer = catch(|| {
            let inner = catch(|| -> u8 { panic!("inner") });
            assert!(inner.is_err());
            GUARDED.with(Cell::get)
        });
        assert_eq!(outer, Ok(true));
        assert!(!GUARDED.with(Cell::get));
    }
}
