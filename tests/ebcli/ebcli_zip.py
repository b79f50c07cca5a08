"""What an Elastic Beanstalk instance finds after `eb deploy`, from the EB CLI's own code.

Runs the real packaging functions of awsebcli (PyPI) offline on a project, the way
`eb deploy` reaches them (`commonops.create_app_version`, `deploy.get_or_create_source_bundle`,
`DeployController.compose_deploy`), extracts each zip with Info-ZIP `unzip -q -o ... -d` as the
EB engine does (`StageApplication`, umask 022), and prints every file under `.ebextensions/`
and `.platform/` following links, in the format of `ebguard deploy --list-files`:

    0755 .platform/hooks/predeploy/01.sh -> ../../../bin/m.sh
    dangling .platform/hooks/prebuild/x.sh -> ../gone.sh

Usage: python ebcli_zip.py [--staged] [--label L] [--archive P] [--modules A B ...]
(run in the directory `eb deploy` would run in). Prints `error` when the EB CLI fails.
"""
import contextlib
import os
import subprocess
import sys
import tempfile

from ebcli.controllers import deploy as deploy_controller
from ebcli.core import fileoperations
from ebcli.objects.sourcecontrol import SourceControl
from ebcli.operations import commonops


def zip_here(staged, label):
    """The zip `create_app_version` uploads from the current directory."""
    cwd = os.getcwd()
    fileoperations.ProjectRoot.traverse()
    root = os.getcwd()
    os.chdir(cwd)
    artifact = fileoperations.get_config_setting('deploy', 'artifact')
    if artifact:
        # `s3.upload_workspace_version` measures it from the project root (and stops when it
        # is not there).
        path = os.path.join(root, artifact)
        os.path.getsize(path)
        return path
    source_control = SourceControl.get_source_control()
    version_label = label or source_control.get_version_label()
    _, file_path = commonops._zip_up_project(version_label, source_control, staged=staged)
    return file_path


def zips(args):
    staged = '--staged' in args
    label = args[args.index('--label') + 1] if '--label' in args else None
    if '--archive' in args:
        archive = args[args.index('--archive') + 1]
        return [('.', deploy_controller.get_or_create_source_bundle(archive=archive, label=label))]
    if '--modules' in args:
        top = os.getcwd()
        out = []
        modules = args[args.index('--modules') + 1:]
        # `DeployController.multiple_app_deploy`: a module without env.yaml stops everything.
        if any(os.path.isdir(m) and not os.path.isfile(os.path.join(m, 'env.yaml'))
               for m in modules):
            return []
        for module in modules:
            if not os.path.isdir(os.path.join(top, module)):
                continue
            os.chdir(os.path.join(top, module))
            out.append((module, zip_here(False, None)))
            os.chdir(top)
        return out
    return [('.', zip_here(staged, label))]


def listing(staging, shown):
    lines = []

    def visit(path, rel, stack):
        link = os.readlink(path) if os.path.islink(path) else None
        suffix = f' -> {link}' if link is not None else ''
        if os.path.isdir(path):
            real = os.path.realpath(path)
            if real in stack:
                lines.append((rel, f'loop {rel}{suffix}'))
                return
            for name in sorted(os.listdir(path)):
                visit(os.path.join(path, name), f'{rel}/{name}', stack + [real])
            return
        try:
            st = os.stat(path)
            error = None
        except OSError as e:
            st, error = None, e
        if error is not None and error.errno == 40:  # ELOOP
            state = 'loop'
        elif not os.path.realpath(path).startswith(staging + os.sep):
            state = 'outside'
        elif st is None:
            state = 'dangling'
        else:
            state = '%04o' % (st.st_mode & 0o777)
        lines.append((rel, f'{state} {rel}{suffix}'))

    for top in ('.ebextensions', '.platform'):
        path = os.path.join(staging, top)
        if os.path.lexists(path):
            visit(path, top if shown == '.' else f'{shown}/{top}', [])
    return [line for _, line in lines]


def main():
    args = sys.argv[1:]
    try:
        # The EB CLI talks on stdout; only the listing goes there.
        with contextlib.redirect_stdout(sys.stderr):
            made = zips(args)
    except Exception as e:  # the EB CLI stops: so must ebguard
        print(f'error {type(e).__name__}: {e}', file=sys.stderr)
        print('error')
        return
    os.umask(0o022)
    for shown, zip_path in made:
        staging = os.path.realpath(tempfile.mkdtemp(prefix='staging-'))
        # The engine fails the deployment when unzip exits non-zero ("Command /usr/bin/unzip
        # failed with error exit status 1"), warnings included.
        done = subprocess.run(['unzip', '-q', '-o', zip_path, '-d', staging], check=False,
                              stdout=subprocess.DEVNULL, stderr=sys.stderr)
        if done.returncode != 0:
            print('error')
            return
        for line in listing(staging, shown):
            print(line)


if __name__ == '__main__':
    main()
