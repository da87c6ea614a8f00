#!/usr/bin/env python3
"""The charter outcomes page (/outcomes) in headless Chromium: as the public sees it (figures withheld)
and as the charter team sees it (in full), at a phone's width (which is what 400 % zoom of a 1280 px
window gives, WCAG 1.4.10) and in print, with axe-core run on each; screenshots are kept.

Usage: outcomes.py BASE_URL
Environment: CW_PASSWORD (the charter team's), CW_EMPLOYER_ID (an employer with a counted return),
CW_ARTEFACTS, a directory for the screenshots (none without it).
Exit status 0 when every step passed; 1 naming the first step that failed; 3 when Chromium,
chromedriver, selenium or axe-playwright-python is missing (the Swift test reports that as a failure).
"""
import base64
import os
import shutil
import sys

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as error:
    print(f"MISSING: selenium is not installed ({error}); pip install selenium", file=sys.stderr)
    sys.exit(3)
# axe-core as the axe-playwright-python wheel ships it (browser_kit).
from browser_kit import AXE  # noqa: E402

BASE = sys.argv[1].rstrip("/")
PASSWORD = os.environ["CW_PASSWORD"]
EMPLOYER = os.environ["CW_EMPLOYER_ID"]
ARTEFACTS = os.environ.get("CW_ARTEFACTS")


def find(names):
    for name in names:
        path = shutil.which(name) or (name if os.path.exists(name) else None)
        if path:
            return path
    return None


browser = find(["chromium", "/usr/bin/chromium"])
driver_path = find(["chromedriver", "/usr/bin/chromedriver"])
if not browser or not driver_path:
    print("MISSING: chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)",
          file=sys.stderr)
    sys.exit(3)


def start(width):
    options = Options()
    options.binary_location = browser
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage"]:
        options.add_argument(argument)
    if width < 500:
        options.add_experimental_option(
            "mobileEmulation", {"deviceMetrics": {"width": width, "height": 740, "pixelRatio": 2}})
    else:
        options.add_argument(f"--window-size={width},1000")
    created = webdriver.Chrome(service=Service(driver_path), options=options)
    created.implicitly_wait(5)
    created.set_page_load_timeout(30)
    return created


step = "starting"
shots = 0


def shoot(driver, name, full_page=True):
    """Keeps a screenshot (the whole page's height) as a test artefact, numbered in order."""
    global shots
    if not ARTEFACTS:
        return
    os.makedirs(ARTEFACTS, exist_ok=True)
    shots += 1
    path = os.path.join(ARTEFACTS, f"{shots:02d}-{name}.png")
    if full_page:
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics["cssContentSize"]
        shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 12000), "scale": 1}})
        with open(path, "wb") as file:
            file.write(base64.b64decode(shot["data"]))
    else:
        driver.save_screenshot(path)


def check(driver, condition, what):
    if not condition:
        raise AssertionError(f"{what} (at {driver.current_url})")


def accessible(driver):
    """No script on the page, and axe-core (every WCAG 2.x A and AA rule, best practices) finds nothing."""
    driver.implicitly_wait(0)
    check(driver, driver.find_elements(By.TAG_NAME, "script") == [], "the page has a script")
    driver.implicitly_wait(5)
    driver.execute_script(AXE)
    driver.set_script_timeout(30)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));")
    check(driver, isinstance(result, list), f"axe-core did not run: {result}")
    problems = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in result]
    check(driver, problems == [], "axe-core found: " + "; ".join(problems))


def charts_described(driver):
    """Every chart is an SVG image with a title and a description, and has a data table after it."""
    charts = driver.find_elements(By.CSS_SELECTOR, "svg[role='img']")
    check(driver, len(charts) == 3, f"{len(charts)} charts, not the trend and the two breakdowns")
    for chart in charts:
        check(driver, chart.find_elements(By.TAG_NAME, "title") != [], "a chart has no title")
        check(driver, chart.find_elements(By.TAG_NAME, "desc") != [], "a chart has no description")
    check(driver, len(driver.find_elements(By.CSS_SELECTOR, "table caption")) >= 4, "the data tables are missing")


def no_sideways_scroll(driver, width):
    """At the width, the page itself never scrolls sideways (tables scroll inside their own region)."""
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    check(driver, scroll <= width, f"the page is {scroll}px wide on a {width}px screen")


desktop = start(1280)
phone = None
try:
    step = "the public sees /outcomes without signing in, small figures withheld"
    print(step, flush=True)
    desktop.get(BASE + "/outcomes")
    check(desktop, desktop.current_url.split("?")[0].endswith("/outcomes"), "sent elsewhere (to sign in?)")
    check(desktop, desktop.find_element(By.TAG_NAME, "h1").text.startswith("Charter outcomes"), "not the outcomes page")
    check(desktop, "are withheld" in desktop.page_source, "no word on what is withheld")
    check(desktop, "—" in desktop.page_source, "no withheld figure shown as —")
    charts_described(desktop)
    accessible(desktop)
    shoot(desktop, "outcomes-public")

    step = "the page reads in print"
    print(step, flush=True)
    desktop.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    check(desktop, not desktop.find_element(By.CSS_SELECTOR, "form.period-form").is_displayed(),
          "the period form is printed")
    shoot(desktop, "outcomes-public-print")
    desktop.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    step = "at 400 % zoom (a 320 px wide view) the public page reflows and passes axe-core"
    print(step, flush=True)
    phone = start(320)
    phone.get(BASE + "/outcomes")
    no_sideways_scroll(phone, 320)
    accessible(phone)
    shoot(phone, "outcomes-public-400-percent", full_page=False)

    step = "the charter team signs in and sees every figure"
    print(step, flush=True)
    desktop.get(BASE + "/sign-in?next=/outcomes")
    desktop.find_element(By.ID, "email").send_keys("team@charter.example")
    desktop.find_element(By.ID, "password").send_keys(PASSWORD)
    old = desktop.find_element(By.TAG_NAME, "html")
    desktop.find_element(By.CSS_SELECTOR, "form[action='/sign-in'] button").click()
    WebDriverWait(desktop, 20).until(lambda d: d.current_url.split("?")[0].endswith("/outcomes"))
    check(desktop, "You are seeing every figure in full" in desktop.page_source, "not the full view")
    charts_described(desktop)
    accessible(desktop)
    shoot(desktop, "outcomes-charter-team")

    step = "an employer's page shows its figures beside the region's"
    print(step, flush=True)
    desktop.get(BASE + f"/employers/{EMPLOYER}")
    check(desktop, desktop.find_elements(By.ID, "outcomes") != [], "no outcomes on the employer page")
    accessible(desktop)
    shoot(desktop, "employer-outcomes")
    print("outcomes pages passed")
except Exception as error:  # noqa: BLE001 - every failure is reported with its step
    print(f"FAILED at step: {step}: {error}", file=sys.stderr)
    sys.exit(1)
finally:
    desktop.quit()
    if phone:
        phone.quit()
