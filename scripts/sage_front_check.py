"""Manual proof (not a CI test): the sibling frontend BOB-DSPM/SAGE-FRONT, built unchanged, lists
the sandbox's pipelines and draws mlops-pipeline in both its views against this server.

Run by scripts/check_sage_front.sh, which builds the frontend first. This starts
``sagemaker-lineage serve --sandbox`` on UPSTREAM_PORT, a transparent proxy on 8300 (the
frontend's fixed API port, src/config/api.js) and the build under /dashboard on FRONT_PORT,
then drives headless Chromium and saves screenshots in OUT_DIR.

The proxy passes every request through unchanged. Only while this server has no ``/schema``
(issue 16, part 2) does it answer the frontend's ``/schema`` and ``/lineage/schema`` calls,
when the server says 404, with an empty schema (no tables): the page shows any failed call
as an error over its graph, and it asks ``/schema`` right after ``/lineage``. It prints
each stand-in answer.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

API_PORT = 8300  # the frontend's (src/config/api.js: http(8300))
UPSTREAM_PORT = int(os.environ.get("UPSTREAM_PORT", "8310"))
FRONT_PORT = int(os.environ.get("FRONT_PORT", "3000"))
BUILD = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build/sage-front/build")
OUT_DIR = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("docs/interop")
ORIGIN = f"http://127.0.0.1:{FRONT_PORT}"
SCHEMA_PATHS = ("/schema", "/lineage/schema")
EMPTY_SCHEMA = {"tables": [], "columns": [], "featureGroups": [], "features": [],
                "warnings": ["stand-in of scripts/sage_front_check.py: no /schema yet"]}
STAND_INS: list[str] = []


class Proxy(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self._forward("GET")

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._forward("OPTIONS")

    def _forward(self, method: str) -> None:
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        request = urllib.request.Request(f"http://127.0.0.1:{UPSTREAM_PORT}{self.path}",
                                         headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                status, got, body = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as refused:
            status, got, body = refused.code, refused.headers, refused.read()
        if status == 404 and self.path.split("?")[0] in SCHEMA_PATHS:
            STAND_INS.append(self.path)
            print(f"stand-in answered {self.path} (the server has no /schema yet)")
            body = json.dumps(EMPTY_SCHEMA).encode()
            status = 200
        self.send_response(status)
        for key, value in got.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection",
                                   "date", "server"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class Front(http.server.SimpleHTTPRequestHandler):
    """The build under /dashboard (package.json's homepage), index.html for the app's
    routes (BrowserRouter basename /dashboard)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, directory=str(BUILD), **kwargs)  # type: ignore[arg-type]

    def translate_path(self, path: str) -> str:
        path = path.split("?")[0]
        relative = path.removeprefix("/dashboard").lstrip("/")
        candidate = BUILD / relative
        if not relative or not candidate.is_file():
            return str(BUILD / "index.html")
        return str(candidate)

    def log_message(self, *args: object) -> None:
        pass


def serve(handler: type[http.server.BaseHTTPRequestHandler], port: int) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()


def wait_up(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not come up")


def browser() -> WebDriver:
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 "--window-size=1700,1050", "--lang=ko-KR"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options)


def by_text(driver: WebDriver, text: str, tag: str = "*") -> WebElement:
    return WebDriverWait(driver, 60).until(
        lambda d: d.find_element(By.XPATH, f"//{tag}[normalize-space(text())='{text}']"))


def nodes(driver: WebDriver, at_least: int) -> list[WebElement]:
    return WebDriverWait(driver, 60).until(
        lambda d: (found := d.find_elements(By.CSS_SELECTOR, ".react-flow__node"))
        and len(found) >= at_least and found)


def shoot(driver: WebDriver, name: str) -> None:
    time.sleep(1.0)  # fitView's transition
    path = OUT_DIR / name
    driver.save_screenshot(str(path))
    print(f"saved {path}")


def main() -> int:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CORS_ORIGINS": ORIGIN}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "sagemaker-lineage"), "serve", "--sandbox",
         "--port", str(UPSTREAM_PORT)], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_up(f"http://127.0.0.1:{UPSTREAM_PORT}/readyz")
        serve(Proxy, API_PORT)
        serve(Front, FRONT_PORT)
        driver = browser()
        try:
            return drive(driver)
        finally:
            driver.quit()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def drive(driver: WebDriver) -> int:
    driver.get(f"{ORIGIN}/dashboard/lineage")
    button = by_text(driver, "파이프라인 선택", "span")  # enabled once the list loaded
    button.click()
    by_text(driver, "mlops-pipeline", "div")
    shoot(driver, "01-pipeline-list.png")

    button.click()  # closed again
    # The domain dropdown: ml-platform from matchedDomain.
    by_text(driver, "전체 도메인", "span").click()
    by_text(driver, "ml-platform", "div")
    shoot(driver, "02-domains.png")
    by_text(driver, "ml-platform", "div").click()
    by_text(driver, "파이프라인 선택", "span").click()
    by_text(driver, "mlops-pipeline", "div").click()

    drawn = nodes(driver, 5)
    print(f"pipeline view: {len(drawn)} nodes")
    shoot(driver, "03-mlops-pipeline-view.png")
    by_text(driver, "Train", "span").click()
    by_text(driver, "Job Name", "div")
    shoot(driver, "04-mlops-step-panel.png")

    by_text(driver, "데이터 관점", "span").click()
    drawn = nodes(driver, 8)
    print(f"data view: {len(drawn)} nodes")
    shoot(driver, "05-mlops-data-view.png")
    by_text(driver, "churn.csv", "div").click()
    by_text(driver, "Data Location", "h4")
    by_text(driver, "aws:kms", "div")
    shoot(driver, "06-mlops-data-bucket-panel.png")
    print(f"stand-in /schema answers: {len(STAND_INS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
