#!/bin/bash
cd /var/app/current
exec bundle exec rake db:migrate
