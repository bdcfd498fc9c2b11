"""Manual proof (not a CI test): the sibling frontend BOB-DSPM/SAGE-FRONT, built unchanged, lists
the sandbox's pipelines, draws mlops-pipeline in both its views and lists its datasets
against this server.

Run by scripts/check_sage_front.sh, which builds the frontend first. This starts
``sagemaker-lineage serve --sandbox`` with ``ENABLE_SCHEMA=true`` (its dataset dropdown reads
``/schema``) on 8300 (the frontend's fixed API port, src/config/api.js) and the build under
/dashboard on FRONT_PORT, then drives headless Chromium and saves screenshots in OUT_DIR.
Every call reaches the server as the page sends it.
"""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

API_PORT = 8300  # the frontend's (src/config/api.js: http(8300))
FRONT_PORT = int(os.environ.get("FRONT_PORT", "3000"))
BUILD = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build/sage-front/build")
OUT_DIR = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("docs/interop")
ORIGIN = f"http://127.0.0.1:{FRONT_PORT}"
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
    env = {**os.environ, "CORS_ORIGINS": ORIGIN, "ENABLE_SCHEMA": "true"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "sagemaker-lineage"), "serve", "--sandbox",
         "--port", str(API_PORT)], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_up(f"http://127.0.0.1:{API_PORT}/readyz")
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

    # The dataset dropdown: /schema's tables, each with its number of columns.
    by_text(driver, "데이터셋 선택", "span").click()
    by_text(driver, "validation", "div")
    shoot(driver, "07-mlops-datasets.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
