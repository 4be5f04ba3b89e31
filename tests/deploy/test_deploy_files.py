"""The deployment's files and commands (docs/deploy.md): the nginx site rendered from vanthu's own settings, the
pages nginx shows by itself, `vanthu upgrade`, and the download hand-off (X-Accel-Redirect) after the access check."""

from __future__ import annotations

import json
from pathlib import Path

from django.test import override_settings

from vanthu.ops import deploy

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_site_in_deploy_is_what_vanthu_renders() -> None:
    with override_settings(MAX_REQUEST_MB=60, STATIC_ROOT="/var/lib/vanthu/static", FILES_DIR="/var/lib/vanthu/files",
                           FILES_HANDOFF_PREFIX="/_vanthu_files/"):
        expected = deploy.render_site(deploy.Site(upstreams=["127.0.0.1:8001"], listen="80",
                                                  server_name="vanthu.qk.example"))
    assert (ROOT / "deploy/nginx/vanthu.conf").read_text() == expected
    assert (ROOT / "deploy/nginx/vanthu_proxy_params").read_text() == deploy.PROXY_PARAMS


def test_the_site_takes_the_body_limit_and_paths_from_the_settings() -> None:
    with override_settings(MAX_REQUEST_MB=7, STATIC_ROOT="/srv/st", FILES_DIR="/srv/files/"):
        text = deploy.render_site(deploy.Site(upstreams=["10.0.0.1:8001", "10.0.0.2:8001"]))
    assert "client_max_body_size 7m;" in text
    assert "alias /srv/st/;" in text
    assert "alias /srv/files/;" in text
    assert "server 10.0.0.1:8001" in text
    assert "server 10.0.0.2:8001" in text
    assert "$host" in (deploy.PROXY_PARAMS)  # nginx's own variables are left for nginx


def test_the_proxys_413_pages_say_what_vanthu_says(tmp_path: Path) -> None:
    with override_settings(MAX_REQUEST_MB=3, MAX_UPLOAD_MB=2):
        page, data = deploy.write_error_pages(tmp_path)
    html = page.read_text()
    assert "vượt quá tổng dung lượng cho phép của một lần gửi (3 MB); mỗi tệp không quá 2 MB." in html
    assert "<script" not in html
    error = json.loads(data.read_text())["error"]
    assert error["code"] == "request_too_large"
    assert error["message"].startswith("Yêu cầu vượt quá tổng dung lượng")


def _upgrade_check(data_dir: Path) -> tuple[int, dict[str, object], str]:
    """`vanthu upgrade --check --json` run as an operator would, in its own process, on its own data folder."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items()
           if not k.startswith("VANTHU_") and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({"VANTHU_DATA_DIR": str(data_dir), "VANTHU_SECRET_KEY": "x" * 50, "PYTHONPATH": str(ROOT)})
    vanthu = str(Path(sys.executable).parent / "vanthu")
    done = subprocess.run([vanthu, "upgrade", "--check", "--json"], env=env, cwd=ROOT, capture_output=True,
                          timeout=300, check=False)
    return done.returncode, json.loads(done.stdout.decode().strip().splitlines()[-1]), done.stderr.decode()


def test_upgrade_check_lists_the_pending_migrations_then_nothing_once_applied(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    code, out, err = _upgrade_check(tmp_path)
    assert code == 1, (out, err)  # a new deployment: every migration is pending
    pending = next(step for step in out["steps"] if step["step"] == "migrations pending")  # type: ignore[union-attr]
    assert pending["count"] > 50
    assert "documents.0001_initial" in pending["names"]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("VANTHU_") and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({"VANTHU_DATA_DIR": str(tmp_path), "VANTHU_SECRET_KEY": "x" * 50, "PYTHONPATH": str(ROOT)})
    subprocess.run([str(Path(sys.executable).parent / "vanthu"), "migrate", "-v0"], env=env, cwd=ROOT, check=True,
                   timeout=600)
    code, out, err = _upgrade_check(tmp_path)
    assert code == 0, (out, err)
    assert out["ok"] is True
    assert {"step": "migrations pending", "count": 0, "names": []} in out["steps"]  # type: ignore[operator]


def test_with_signed_links_the_site_checks_them_logs_them_and_is_private(tmp_path: Path) -> None:
    secret = "z" * 40
    with override_settings(FILES_LINKS=True, FILES_LINK_SECRET=secret, FILES_URL="", FILES_DIR="/srv/files",
                           FILES_LINK_PREFIX="/_vanthu_link/", FILES_LINK_LOG=tmp_path / "logs" / "links.log"):
        text = deploy.render_site(deploy.Site())
        deploy.write_site(tmp_path / "site.conf", text)
    assert "log_format vanthu_links '$msec $status $body_bytes_sent $request_id $remote_addr $uri';" in text
    assert f'secure_link_md5 "$secure_link_expires$uri$cookie_sessionid$http_authorization {secret}";' in text
    assert "alias /srv/files/$vanthu_link_a/$vanthu_link_b/$vanthu_link_sha;" in text
    assert f"access_log {tmp_path}/logs/links.log vanthu_links if=$vanthu_link_served;" in text
    assert "error_page 403 404 = $vanthu_link_checked;" in text
    assert (tmp_path / "site.conf").stat().st_mode & 0o077 == 0  # the secret is in it
    assert (tmp_path / "logs").is_dir()
    with override_settings(FILES_LINKS=True, FILES_LINK_SECRET=secret, FILES_URL="s3://b/files"):
        assert "secure_link" not in deploy.render_site(deploy.Site())  # object storage keeps the checked hand-off
    with override_settings(FILES_LINKS=False):
        assert "secure_link" not in deploy.render_site(deploy.Site())
