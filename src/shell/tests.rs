use super::*;

#[test]
fn smoke() {
    let calls = find_migrations("python manage.py migrate");
    assert_eq!(calls.len(), 1);
}
