"""`make install` into a DESTDIR: the binary, the unit file (ExecStart following PREFIX), the
sysusers.d entry for the `firn` user, and /etc/firn/firn.toml, which a second install never
overwrites. The installed pieces are then checked with the real tools: the binary runs and
accepts the installed config, systemd-analyze verifies the installed unit, systemd-sysusers
creates the user inside the DESTDIR.

The binary under test is installed as it is: make runs with BUILD= its folder and `-o` on it,
so nothing is rebuilt."""

import os
import shutil
import stat
import subprocess

import pytest

from conftest import FIRN_BINARY, FIRN_IS_REDIS

pytestmark = pytest.mark.skipif(FIRN_IS_REDIS, reason="installs Firn")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def make_install(destdir, prefix="/usr/local"):
    build = os.path.dirname(os.path.abspath(FIRN_BINARY))
    proc = subprocess.run(
        ["make", "--no-print-directory", "-o", os.path.join(build, "firn-server"), "install",
         "BUILD=" + build, "DESTDIR=" + destdir, "PREFIX=" + prefix],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_install_lays_out_the_files(tmp_path):
    dest = str(tmp_path)
    make_install(dest)
    binary = dest + "/usr/local/bin/firn-server"
    unit = dest + "/lib/systemd/system/firn.service"
    conf = dest + "/etc/firn/firn.toml"
    sysusers = dest + "/usr/lib/sysusers.d/firn.conf"
    assert mode(binary) == 0o755
    assert mode(unit) == 0o644
    assert mode(conf) == 0o644
    assert mode(sysusers) == 0o644
    with open(unit) as f:
        assert "ExecStart=/usr/local/bin/firn-server /etc/firn/firn.toml\n" in f.read()
    with open(conf) as f, open(os.path.join(ROOT, "conf", "firn.toml")) as g:
        assert f.read() == g.read()
    # The installed binary is the one under test and accepts the installed config.
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0 and out.stdout.startswith("firn-server v=")
    out = subprocess.run([binary, conf, "--check-config"], capture_output=True, text=True,
                         timeout=10)
    assert out.returncode == 0, out.stdout + out.stderr


def test_reinstall_keeps_an_edited_config(tmp_path):
    dest = str(tmp_path)
    make_install(dest)
    conf = dest + "/etc/firn/firn.toml"
    with open(conf, "a") as f:
        f.write("\n# edited by the operator\n")
    out = make_install(dest)
    assert "keeping existing" in out
    with open(conf) as f:
        assert f.read().endswith("# edited by the operator\n")


def test_prefix_moves_the_binary_and_execstart(tmp_path):
    dest = str(tmp_path)
    make_install(dest, prefix="/opt/firn")
    assert os.access(dest + "/opt/firn/bin/firn-server", os.X_OK)
    with open(dest + "/lib/systemd/system/firn.service") as f:
        assert "ExecStart=/opt/firn/bin/firn-server /etc/firn/firn.toml\n" in f.read()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_installed_unit_verifies(tmp_path):
    """systemd-analyze verify --root would look for systemd's own units and /bin/kill inside
    the DESTDIR too, so the installed unit is verified in place with one change: ExecStart
    names the installed binary by its DESTDIR path (verify checks that it is executable)."""
    dest = str(tmp_path / "root")
    make_install(dest)
    with open(dest + "/lib/systemd/system/firn.service") as f:
        text = f.read()
    text = text.replace("ExecStart=/usr/local/bin/firn-server",
                        "ExecStart=" + dest + "/usr/local/bin/firn-server")
    check_dir = tmp_path / "verify"
    check_dir.mkdir()
    path = str(check_dir / "firn.service")
    with open(path, "w") as f:
        f.write(text)
    proc = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (proc.stdout + proc.stderr).strip() == ""


@pytest.mark.skipif(shutil.which("systemd-sysusers") is None, reason="systemd is not installed")
def test_sysusers_entry_creates_the_firn_user(tmp_path):
    dest = str(tmp_path)
    make_install(dest)
    proc = subprocess.run(["systemd-sysusers", "--root=" + dest,
                           dest + "/usr/lib/sysusers.d/firn.conf"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    with open(dest + "/etc/passwd") as f:
        users = {line.split(":")[0]: line.strip().split(":") for line in f if line.strip()}
    assert "firn" in users
    assert users["firn"][5] == "/var/lib/firn"
    assert users["firn"][6].endswith("nologin")
