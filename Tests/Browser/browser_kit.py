"""What every CharterWatch browser walk shares: headless Chromium through Selenium, axe-core injected
through the driver, screenshots kept as test artefacts, and small waits on events (a page left, an
element gone) rather than on time.

A walk script does `from browser_kit import Walk`, makes `walk = Walk(base_url)` and calls
`walk.run(steps)` with a function of the walk; `walk.step("...")` names each step, so a failure says
which. Exit status 0 when every step passed; 1 naming the step that failed; 3 when Chromium,
chromedriver, selenium or axe-playwright-python (which ships axe-core) is missing — the Swift test
reports that as a failure, never a skip.

Environment: CW_ARTEFACTS, a directory for the screenshots (none without it).
"""
import base64
import importlib.util
import os
import shutil
import sys

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as error:
    print(f"MISSING: selenium is not installed ({error}); pip install selenium", file=sys.stderr)
    sys.exit(3)


def axe_source():
    """axe-core's axe.min.js as the axe-playwright-python wheel ships it (installed with --no-deps: only
    the file is used, not Playwright)."""
    spec = importlib.util.find_spec("axe_playwright_python")
    if spec is None or not spec.submodule_search_locations:
        print("MISSING: axe-playwright-python is not installed; pip install --no-deps axe-playwright-python",
              file=sys.stderr)
        sys.exit(3)
    path = os.path.join(list(spec.submodule_search_locations)[0], "axe.min.js")
    with open(path, encoding="utf-8") as file:
        return file.read()


AXE = axe_source()


def find(names):
    for name in names:
        path = shutil.which(name) or (name if os.path.exists(name) else None)
        if path:
            return path
    return None


class Walk:
    """One browser walking the pages of the charterd at `base`."""

    def __init__(self, base, width=1280):
        self.base = base.rstrip("/")
        self.current = "starting"
        self.checked_pages = set()
        self.shots = 0
        self.artefacts = os.environ.get("CW_ARTEFACTS")
        browser = find(["chromium", "/usr/bin/chromium"])
        driver_path = find(["chromedriver", "/usr/bin/chromedriver"])
        if not browser or not driver_path:
            print("MISSING: chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)",
                  file=sys.stderr)
            sys.exit(3)
        options = Options()
        options.binary_location = browser
        for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage"]:
            options.add_argument(argument)
        if width < 500:
            # A phone's viewport, or 400 % zoom of a desktop one (headless windows are at least 500 px wide).
            options.add_experimental_option(
                "mobileEmulation", {"deviceMetrics": {"width": width, "height": 740, "pixelRatio": 2}})
        else:
            options.add_argument(f"--window-size={width},1000")
        # The pages carry no JavaScript (checked on every page, and their Content-Security-Policy allows
        # none). Chromium's JavaScript switch stays on: chromedriver needs it to drive the browser.
        self.driver = webdriver.Chrome(service=Service(driver_path), options=options)
        self.driver.implicitly_wait(5)
        self.driver.set_page_load_timeout(30)

    # Steps and evidence

    def step(self, text):
        self.current = text
        print(text, flush=True)

    def shoot(self, name, full_page=False):
        """Keeps a screenshot of the page as a test artefact (CW_ARTEFACTS), numbered in walk order; with
        `full_page`, the page's whole height rather than the window."""
        if not self.artefacts:
            return
        os.makedirs(self.artefacts, exist_ok=True)
        self.shots += 1
        path = os.path.join(self.artefacts, f"{self.shots:02d}-{name}.png")
        if not full_page:
            self.driver.save_screenshot(path)
            return
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 12000), "scale": 1}})
        with open(path, "wb") as file:
            file.write(base64.b64decode(shot["data"]))

    def check(self, condition, what):
        if not condition:
            raise AssertionError(f"{what} (at {self.driver.current_url})")

    def run(self, walk, nested=False):
        """Runs `walk(self)`; exits 0 when it passes, 1 naming the failed step (with a screenshot). A
        `nested` walk (a second browser inside another walk) returns when it passes and raises when it
        fails, so the outer walk reports it."""
        try:
            walk(self)
        except Exception as error:  # noqa: BLE001 — any failure is the step's failure
            self.shoot("failed")
            self.driver.quit()
            if nested:
                raise AssertionError(f"{self.current}: {type(error).__name__}: {error}") from error
            print(f"FAILED at step: {self.current}\n{type(error).__name__}: {error}", file=sys.stderr)
            sys.exit(1)
        self.driver.quit()
        if nested:
            return
        print(f"walk passed; axe-core checked {len(self.checked_pages)} pages")
        sys.exit(0)

    # Pages

    def get(self, path):
        self.driver.get(self.base + path)

    def el(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def els(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def h1(self):
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def fill(self, field_id, value):
        """Types `value` into the field with id `field_id`, replacing what was there."""
        element = self.driver.find_element(By.ID, field_id)
        element.clear()
        element.send_keys(value)

    def choose(self, field_id, value):
        """Selects the option with `value` in the select with id `field_id`."""
        from selenium.webdriver.support.ui import Select
        Select(self.driver.find_element(By.ID, field_id)).select_by_value(value)

    def tick(self, field_id, on=True):
        box = self.driver.find_element(By.ID, field_id)
        if box.is_selected() != on:
            box.click()

    def submit(self, css):
        """Clicks the (first) button of the form at `css` and waits for the next page to load."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        try:
            self.driver.find_element(By.CSS_SELECTOR, css + " button").click()
        except WebDriverException as error:
            # chromedriver sometimes loses the button when the click has already started the navigation.
            if "does not belong to the document" not in str(error):
                raise
        WebDriverWait(self.driver, 30).until(lambda _: self.gone(old))

    def press(self, css):
        """Clicks the button at `css` (when a form has more than one) and waits for the next page."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(By.CSS_SELECTOR, css).click()
        WebDriverWait(self.driver, 30).until(lambda _: self.gone(old))

    def follow(self, link_text):
        """Follows the link whose text is `link_text` and waits for the next page."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(By.LINK_TEXT, link_text).click()
        WebDriverWait(self.driver, 30).until(lambda _: self.gone(old))

    @staticmethod
    def gone(element):
        """Whether `element` belongs to a page the browser has left."""
        try:
            element.is_enabled()
            return False
        except WebDriverException:
            # StaleElementReferenceException, or chromedriver's "does not belong to the document".
            return True

    def absent(self, css):
        """Whether the loaded page has no element matching `css`, asked without the implicit wait (which
        would spend five seconds proving each absence)."""
        self.driver.implicitly_wait(0)
        try:
            return self.driver.find_elements(By.CSS_SELECTOR, css) == []
        finally:
            self.driver.implicitly_wait(5)

    def accessible(self):
        """No script on the page, and axe-core (every WCAG 2.x A and AA rule and its best practices) finds
        no violation."""
        self.check(self.absent("script"), "the page has a script")
        self.driver.execute_script(AXE)
        self.driver.set_script_timeout(30)
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done(String(e)));")
        self.check(isinstance(result, list), f"axe-core did not run: {result}")
        problems = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
                    for v in result]
        self.check(problems == [], "axe-core found: " + "; ".join(problems))
        self.checked_pages.add(self.driver.current_url.split("?")[0])

    def message(self, text):
        """The page's "what happened" banner says `text`."""
        banners = self.driver.find_elements(By.CSS_SELECTOR, "[role='status']")
        self.check(any(text in banner.text for banner in banners), f"no message saying {text!r}")

    def error_summary(self, text):
        """The error summary lists `text`."""
        summaries = self.driver.find_elements(By.CSS_SELECTOR, ".error-summary")
        self.check(any(text in summary.text for summary in summaries), f"no error saying {text!r}")

    def sign_in(self, email, password):
        self.get("/sign-in")
        self.fill("email", email)
        self.fill("password", password)
        self.submit("form[action='/sign-in']")

    def sign_out(self):
        self.submit("form[action='/sign-out']")
