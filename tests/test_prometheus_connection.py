"""The Prometheus client's connection: a closed port after the retries, and TLS against a
real Prometheus serving HTTPS with a throwaway CA."""

from __future__ import annotations

import contextlib
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from launchguard.harness.process import free_port, stop_process
from launchguard.prometheus import (
    PrometheusClient,
    PrometheusUnreachable,
)

from clienthistory import settings_for
from fakeprometheus import (
    SleepLog,
)


def wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, verify: Any) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited:\n{log.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/-/ready", verify=verify, timeout=1).status_code == 200:
                return
        time.sleep(0.05)  # polling interval of a bounded readiness loop
    raise RuntimeError(f"prometheus not ready after 30 s:\n{log.read_text()}")


@contextlib.contextmanager
def running_prometheus(
    workdir: Path, *, web_config: Path | None = None, verify: Any = True
) -> Iterator[str]:
    """Start Prometheus on a free loopback port over `workdir`/data; yield its URL."""
    if shutil.which("prometheus") is None or shutil.which("promtool") is None:
        pytest.skip("prometheus and promtool are not installed")
    config = workdir / "prometheus.yml"
    config.write_text("scrape_configs: []\n")
    port = free_port()
    args = [
        "prometheus",
        f"--config.file={config}",
        f"--storage.tsdb.path={workdir / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    if web_config is not None:
        args.append(f"--web.config.file={web_config}")
    url = f"{'https' if web_config else 'http'}://127.0.0.1:{port}"
    log = workdir / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_ready(url, process, log, verify)
            yield url
        finally:
            stop_process(process)


@pytest.mark.parametrize(
    "retries", [pytest.param(0, id="no retries"), pytest.param(2, id="two retries")]
)
async def test_closed_port_is_unreachable_after_the_retries(retries: int) -> None:
    sleeps = SleepLog()
    url = f"http://127.0.0.1:{free_port()}"
    client = PrometheusClient(settings_for(url, retries=retries), sleep=sleeps)
    async with client:
        with pytest.raises(PrometheusUnreachable) as caught:
            await client.query("up", 0)
    assert caught.value.kind == "unreachable"
    assert client.requests_sent == retries + 1
    assert sleeps.delays == [0.2, 0.4][:retries]


@pytest.fixture(scope="module")
def tls_prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A Prometheus serving HTTPS with a certificate of a throwaway CA; yields (url, CA file)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    workdir = tmp_path_factory.mktemp("tls")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=workdir, check=True, capture_output=True)

    openssl(
        *("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
        *("-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=lg CA"),
    )
    (workdir / "ext.cnf").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
        "authorityKeyIdentifier=keyid,issuer\nextendedKeyUsage=serverAuth\n"
    )
    openssl(
        *("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"),
        *("-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"),
    )
    openssl(
        *("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key"),
        *("-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf"),
    )
    web = workdir / "web.yml"
    web.write_text(
        f"tls_server_config:\n  cert_file: {workdir / 'server.pem'}\n"
        f"  key_file: {workdir / 'server.key'}\n"
    )
    ca = workdir / "ca.pem"
    verify = ssl.create_default_context(cafile=str(ca))
    with running_prometheus(workdir, web_config=web, verify=verify) as url:
        yield url, ca


@pytest.mark.prometheus
@pytest.mark.parametrize(
    ("overrides", "verified"),
    [
        pytest.param(
            {"ca_file": "CA"}, True, id="a ca_file that signed the certificate verifies it"
        ),
        pytest.param({}, False, id="without the CA the certificate is refused as unreachable"),
        pytest.param(
            {"insecure_skip_verify": True}, True, id="insecure_skip_verify accepts the certificate"
        ),
    ],
)
async def test_tls_verification(
    tls_prometheus: tuple[str, Path], overrides: dict[str, Any], verified: bool
) -> None:
    url, ca = tls_prometheus
    overrides = {k: str(ca) if v == "CA" else v for k, v in overrides.items()}
    async with PrometheusClient(settings_for(url, retries=0, **overrides)) as client:
        if verified:
            assert (await client.query("1 + 1", 0)).series[0].points == ((0.0, 2.0),)
        else:
            with pytest.raises(PrometheusUnreachable, match="CERTIFICATE_VERIFY_FAILED"):
                await client.query("1 + 1", 0)
