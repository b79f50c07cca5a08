//! "migrations will fail": the EB3xx findings (conflicting leaves, missing dependencies,
//! duplicate object names, Alembic heads, duplicate versions) told in the verdict of every
//! scenario that runs migrations, since that is where the deployment breaks.

use super::{at, Plan, VerdictKind};
use crate::finding::{Finding, Severity};

impl Plan {
    /// Appends the errors among `findings` (from the migration graph rules) to the verdict of
    /// each scenario in which migrations run.
    pub fn note_failing_migrations(&mut self, findings: &[Finding]) {
        let mut failures: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        if failures.is_empty() {
            return;
        }
        failures.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let told = failures
            .iter()
            .map(|f| format!("{} ({} at {})", f.message, f.rule.id, at(&f.location)))
            .collect::<Vec<_>>()
            .join("; ");
        for scenario in &mut self.scenarios {
            if scenario.verdict.kind != VerdictKind::Never {
                scenario
                    .verdict
                    .reason
                    .push_str(&format!("; migrations will fail: {told}"));
            }
        }
    }
}
