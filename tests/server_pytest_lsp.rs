//! The second, independent LSP client: pytest-lsp (PyPI, on pygls) runs
//! tests/pytest_lsp/test_server.py against the built `ebguard server`, with the capabilities
//! VS Code and Neovim announce. `EBGUARD_TEST_PYTEST_LSP` names a Python that has pytest-lsp
//! (.ci/setup.d/40-sarif.sh sets it to CI's virtualenv).

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn pytest_lsp_drives_the_server() {
    let Some(python) = std::env::var_os("EBGUARD_TEST_PYTEST_LSP") else {
        common::skip(
            "EBGUARD_TEST_PYTEST_LSP is not set (a Python with pytest-lsp; .ci/python/lsp.txt)",
        );
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pytest_lsp");
    let out = Command::new(python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "."])
        .current_dir(&dir)
        .env("EBGUARD_BIN", env!("CARGO_BIN_EXE_ebguard"))
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Both tests ran with both editors' capabilities: a skipped or deselected case would
    // hide a failure.
    assert!(stdout.contains("4 passed"), "{stdout}");
}
