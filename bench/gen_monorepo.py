#!/usr/bin/env python3
"""Writes a synthetic monorepo of Elastic Beanstalk bundles for ebguard's benchmark.

    bench/gen_monorepo.py OUT N [--corpus DIR] [--seed S]

OUT gets N `.ebextensions/*.config` files in total:
- half synthetic, in bundles `synthetic/app-NNNN/` of eight configs and three platform hooks
  each: Django, Rails, Laravel and Node apps, option settings in both forms (the namespace map
  and the namespace/option_name/value list), container_commands with `|` block scripts,
  Resources with CloudFormation functions (`Fn::GetAtt`, `!Ref`, `Fn::Join`,
  `Fn::GetOptionSetting`), `files:` with content blocks, anchors and `<<` merges;
- half real: the 86 repositories of the research corpus (`../shared/corpus/files/`, or
  `--corpus`) copied again and again as `real/<repo>-<k>/` until they hold the other half,
  with their hooks.
Only the Python 3 standard library is used; the same N and seed give the same tree.
"""

import argparse
import os
import random
import shutil
import sys
from pathlib import Path

CONFIGS_PER_BUNDLE = 8

DJANGO = """\
option_settings:
  aws:elasticbeanstalk:application:environment:
    DJANGO_SETTINGS_MODULE: {app}.settings.production
    PYTHONPATH: /var/app/current:$PYTHONPATH
{env}  aws:elasticbeanstalk:container:python:
    WSGIPath: {app}.wsgi:application
    NumProcesses: {procs}
    NumThreads: 15
  aws:elasticbeanstalk:environment:proxy:staticfiles:
    /static: static

container_commands:
  01_migrate:
    command: |
      source /var/app/venv/*/bin/activate
      python manage.py migrate --noinput
    leader_only: true
  02_collectstatic:
    command: "source /var/app/venv/*/bin/activate && python manage.py collectstatic --noinput"
  03_createcache:
    command: python manage.py createcachetable
    leader_only: true
    ignoreErrors: false
"""

RAILS = """\
option_settings:
  - namespace: aws:elasticbeanstalk:application:environment
    option_name: RAILS_ENV
    value: production
  - namespace: aws:elasticbeanstalk:application:environment
    option_name: RAILS_SKIP_ASSET_COMPILATION
    value: "false"
  - namespace: aws:elasticbeanstalk:command
    option_name: Timeout
    value: {timeout}
  - option_name: SECRET_KEY_BASE
    value: "{secret}"

commands:
  01_node:
    command: curl --silent --location https://rpm.nodesource.com/setup_18.x | bash -
    test: '[ ! -x /usr/bin/node ]'
  02_yarn:
    command: npm install -g yarn

container_commands:
  01_db_migrate:
    command: bundle exec rake db:migrate
    leader_only: true
  02_assets:
    command: |
      export RAILS_ENV=production
      bundle exec rake assets:precompile
      bundle exec rake assets:clean
"""

LARAVEL = """\
option_settings:
  aws:elasticbeanstalk:container:php:phpini:
    document_root: /public
    memory_limit: {memory}M
    zlib.output_compression: "Off"
    allow_url_fopen: "On"
    display_errors: "Off"
    max_execution_time: 60
  aws:elasticbeanstalk:application:environment:
    APP_ENV: production
{env}
container_commands:
  00_install_composer_dependencies:
    command: "sudo php -d memory_limit=-1 /usr/bin/composer.phar install --no-dev --no-interaction --prefer-dist --optimize-autoloader"
    cwd: "/var/app/staging"
  01_migrate:
    command: "php artisan migrate --force"
    leader_only: true
  02_cache:
    command: |
      php artisan config:cache
      php artisan route:cache
      php artisan view:cache
"""

NODE = """\
{{
  "option_settings": [
    {{"namespace": "aws:elasticbeanstalk:container:nodejs", "option_name": "NodeCommand", "value": "npm start"}},
    {{"namespace": "aws:elasticbeanstalk:application:environment", "option_name": "NODE_ENV", "value": "production"}},
    {{"namespace": "aws:elasticbeanstalk:application:environment", "option_name": "PORT", "value": "{port}"}},
    {{"namespace": "aws:autoscaling:asg", "option_name": "MinSize", "value": "{min_size}"}}
  ],
  "container_commands": {{
    "01_migrate": {{"command": "npx sequelize-cli db:migrate", "leader_only": true}},
    "02_seed": {{"command": ["npx", "sequelize-cli", "db:seed:all"], "leader_only": "true"}}
  }}
}}
"""

RESOURCES = """\
Resources:
  {name}Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName:
        Fn::Join: ["-", [{{Ref: AWSEBEnvironmentName}}, {name}, jobs]]
      VisibilityTimeout: {visibility}
      DelaySeconds:
        Fn::GetOptionSetting:
          OptionName: QueueDelay
          DefaultValue: "0"
  {name}Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: "{name} queue is backing up"
      Namespace: AWS/SQS
      MetricName: ApproximateNumberOfMessagesVisible
      Dimensions:
        - Name: QueueName
          Value: !GetAtt [{name}Queue, QueueName]
      Statistic: Maximum
      Period: 300
      EvaluationPeriods: 2
      Threshold: {threshold}
      ComparisonOperator: GreaterThanThreshold
  sslSecurityGroupIngress:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: {{"Fn::GetAtt": ["AWSEBSecurityGroup", "GroupId"]}}
      IpProtocol: tcp
      ToPort: 443
      FromPort: 443
      CidrIp: 0.0.0.0/0

Outputs:
  QueueURL:
    Value: !Ref {name}Queue
"""

FILES = """\
files:
  "/etc/nginx/conf.d/{name}.conf":
    mode: "000644"
    owner: root
    group: root
    content: |
      client_max_body_size {body}M;
      gzip on;
      gzip_types text/plain application/json application/javascript text/css;
      proxy_read_timeout 300;
  "/opt/elasticbeanstalk/tasks/taillogs.d/{name}.conf":
    mode: "000755"
    owner: root
    group: root
    content: |
      /var/log/{name}/*.log

packages:
  yum:
    git: []
    jq: []
    postgresql15: []
"""

SHARED = """\
defaults: &command_defaults
  leader_only: true
  ignoreErrors: false

option_settings:
  aws:elasticbeanstalk:command:
    DeploymentPolicy: {policy}
    Timeout: {timeout}
    BatchSizeType: Percentage
    BatchSize: 30
  aws:elasticbeanstalk:healthreporting:system:
    SystemType: enhanced
  aws:elasticbeanstalk:cloudwatch:logs:
    StreamLogs: true
    DeleteOnTerminate: false
    RetentionInDays: {retention}
  {scaledown}.aws:autoscaling:scheduledaction:
    MinSize: 1
    MaxSize: 2
    Recurrence: "0 22 * * *"

container_commands:
  10_warm_cache:
    <<: *command_defaults
    command: |
      for url in / /health /api/status; do
        curl -fsS "http://localhost$url" > /dev/null || true
      done
"""

ENV_VARS = ["REDIS_URL", "SENTRY_DSN", "S3_BUCKET", "FEATURE_FLAGS", "LOG_LEVEL", "CDN_HOST"]

PREDEPLOY = """\
#!/bin/bash
# Applies database migrations once per deployment.
set -euo pipefail
cd /var/app/staging
if [[ "${{EB_IS_COMMAND_LEADER:-false}}" == "true" ]]; then
  {migrate}
fi
"""

POSTDEPLOY = """\
#!/usr/bin/env bash
set -e
/opt/elasticbeanstalk/bin/get-config environment | jq -r 'to_entries[] | "\\(.key)=\\(.value)"' > /tmp/env
systemctl restart {name}-worker.service || echo "no worker for {name}"
"""

CONFIGHOOK = """\
#!/bin/sh
# Reload workers after a configuration-only deployment.
systemctl reload nginx
"""

MIGRATE = {
    "django": "source /var/app/venv/*/bin/activate && python manage.py migrate --noinput",
    "rails": "bundle exec rails db:migrate",
    "laravel": "php artisan migrate --force",
    "node": "npx sequelize-cli db:migrate",
}


def env_block(rng, indent):
    names = rng.sample(ENV_VARS, rng.randint(1, len(ENV_VARS)))
    return "".join(f"{indent}{n}: \"{rng.randrange(10**6)}\"\n" for n in names)


def synthetic_bundle(root, index, configs, rng):
    name = f"app{index:04}"
    kind = ["django", "rails", "laravel", "node"][index % 4]
    main = {
        "django": lambda: DJANGO.format(app=name, env=env_block(rng, "    "), procs=rng.randint(1, 4)),
        "rails": lambda: RAILS.format(timeout=rng.choice([600, 900, 1800]), secret=f"{rng.getrandbits(128):032x}"),
        "laravel": lambda: LARAVEL.format(memory=rng.choice([256, 512]), env=env_block(rng, "    ")),
        "node": lambda: NODE.format(port=rng.choice([3000, 8080, 8081]), min_size=rng.randint(1, 4)),
    }[kind]
    texts = [
        ("01_app.config", main()),
        ("02_resources.config", RESOURCES.format(name=name, visibility=rng.randint(30, 900), threshold=rng.randint(10, 1000))),
        ("03_files.config", FILES.format(name=name, body=rng.choice([10, 50, 100]))),
        ("04_deploy.config", SHARED.format(
            policy=rng.choice(["Rolling", "RollingWithAdditionalBatch", "Immutable", "AllAtOnce"]),
            timeout=rng.choice([600, 1200, 1800]),
            retention=rng.choice([7, 14, 30]),
            scaledown=f"ScaleDown{index}",
        )),
    ]
    # Later files of a bundle reuse the same shapes with other values, as real monorepos do.
    while len(texts) < configs:
        k = len(texts)
        texts.append((f"{k + 1:02}_extra.config", RESOURCES.format(name=f"{name}x{k}", visibility=rng.randint(30, 900), threshold=rng.randint(10, 1000))))
    ext = root / ".ebextensions"
    ext.mkdir(parents=True)
    for file_name, text in texts[:configs]:
        (ext / file_name).write_text(text)
    hooks = [
        (".platform/hooks/predeploy/01_migrate.sh", PREDEPLOY.format(migrate=MIGRATE[kind])),
        (".platform/hooks/postdeploy/01_restart.sh", POSTDEPLOY.format(name=name)),
        (".platform/confighooks/postdeploy/01_reload.sh", CONFIGHOOK),
    ]
    for rel, text in hooks:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o755)


def corpus_repos(corpus):
    """(repo dir, its .config files, its hook files) for every corpus repository."""
    repos = []
    for repo in sorted(p for p in corpus.iterdir() if p.is_dir()):
        files = sorted(p for p in repo.rglob("*") if p.is_file())
        configs = [p for p in files if p.parent.name == ".ebextensions" and p.suffix == ".config"]
        hooks = [p for p in files if "/.platform/" in p.as_posix()]
        if configs or hooks:
            repos.append((repo, configs, hooks))
    return repos


def real_bundles(out, count, corpus):
    repos = corpus_repos(corpus)
    if not any(configs for _, configs, _ in repos):
        sys.exit(f"gen_monorepo: no .ebextensions/*.config under {corpus}")
    written, k = 0, 0
    while written < count:
        for repo, configs, hooks in repos:
            if written >= count:
                break
            dest = out / "real" / f"{repo.name}-{k}"
            for src in configs[: count - written] + hooks:
                target = dest / src.relative_to(repo)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target)
            written += min(len(configs), count - (written))
        k += 1


def main():
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("configs", type=int, help="total number of .config files")
    parser.add_argument("--corpus", type=Path, default=here.parent.parent / "shared" / "corpus" / "files")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        sys.exit(f"gen_monorepo: {args.out} exists and is not empty")
    if not args.corpus.is_dir():
        sys.exit(f"gen_monorepo: corpus {args.corpus} not found (pass --corpus DIR)")
    rng = random.Random(args.seed)
    synthetic = args.configs - args.configs // 2
    index = 0
    while synthetic > 0:
        configs = min(CONFIGS_PER_BUNDLE, synthetic)
        synthetic_bundle(args.out / "synthetic" / f"app-{index:04}", index, configs, rng)
        synthetic -= configs
        index += 1
    real_bundles(args.out, args.configs // 2, args.corpus)
    total = sum(1 for p in args.out.rglob("*.config") if p.parent.name == ".ebextensions")
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"{args.out}: {total} config files, {size} bytes in all")


if __name__ == "__main__":
    main()
