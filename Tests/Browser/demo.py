#!/usr/bin/env python3
"""Checks the demo in headless Chromium: a demo rep signs in and sees the demo's flags.

Usage: demo.py BASE_URL
Environment: CW_EMAIL, CW_PASSWORD (a demo rep's sign-in), CW_EMPLOYER (the name of an employer the rep
covers that has flags), CW_ARTEFACTS (where the screenshots go).
Exit status 0 when the rep's queue shows the demo's flags; 1 naming what was wrong; 3 when Chromium,
chromedriver or selenium is missing (reported by the Swift test as a failure, never a skip).
"""
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

BASE = sys.argv[1].rstrip("/")
browser = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
driver_path = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
if not browser or not driver_path:
    print("MISSING: chromium and chromium-driver are not installed", file=sys.stderr)
    sys.exit(3)

options = Options()
options.binary_location = browser
for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600"]:
    options.add_argument(argument)
driver = webdriver.Chrome(service=Service(driver_path), options=options)
driver.set_page_load_timeout(30)
artefacts = os.environ["CW_ARTEFACTS"]
os.makedirs(artefacts, exist_ok=True)
try:
    driver.get(BASE + "/sign-in")
    driver.find_element(By.ID, "email").send_keys(os.environ["CW_EMAIL"])
    driver.find_element(By.ID, "password").send_keys(os.environ["CW_PASSWORD"])
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "form[action='/sign-in'] button").click()
    WebDriverWait(driver, 20).until(lambda _: driver.current_url.endswith("/flags"))
    driver.save_screenshot(os.path.join(artefacts, "demo-rep-queue.png"))
    links = driver.find_elements(By.CSS_SELECTOR, "a[href^='/flags/']")
    if len(links) < 5:
        raise AssertionError(f"the demo rep's queue lists {len(links)} flags, expected the demo's flags")
    if os.environ["CW_EMPLOYER"] not in driver.page_source:
        raise AssertionError(f"the queue does not show {os.environ['CW_EMPLOYER']}, an employer the rep covers")
    driver.get(BASE + links[0].get_attribute("pathname"))
    driver.save_screenshot(os.path.join(artefacts, "demo-rep-flag.png"))
    if "Evidence" not in driver.page_source and "evidence" not in driver.page_source:
        raise AssertionError("the flag page shows no evidence")
    print(f"the demo rep sees {len(links)} flags")
except Exception as error:  # noqa: BLE001 - reported with the page it happened on
    print(f"FAILED: {error} (at {driver.current_url})", file=sys.stderr)
    sys.exit(1)
finally:
    driver.quit()
