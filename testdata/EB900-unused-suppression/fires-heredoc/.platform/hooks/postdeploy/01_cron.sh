#!/bin/bash
# The cron file this writes keeps its first line: it is text `cat` receives, not a comment.
cat > /etc/cron.d/cleanup <<'CRON'
# ebguard: ignore[EB006] the cleanup job never migrates
0 3 * * * webapp /var/app/current/bin/cleanup
CRON
echo written # ebguard: ignore[EB204] left over from a removed script
