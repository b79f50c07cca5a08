npm ci --omit=dev
