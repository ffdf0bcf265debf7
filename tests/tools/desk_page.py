"""The desk's web page in a real headless browser (Chromium through
chromedriver, with selenium): load an article, confirm a segment with
Ctrl-Enter, reload, and see it come back at 101 %.

Usage: desk_page.py BASE_URL SCREENSHOT.png
Prints JSON: what was seen, and the share of non-white pixels of the
screenshot.
"""

import json
import struct
import sys
import zlib

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

base, shot = sys.argv[1], sys.argv[2]
ARTICLE = (
    "La BNS reste disposée à intervenir sur le marché des changes si nécessaire.\n"
    "Le comité de rédaction se réunit chaque matin à sept heures.\n"
    "Le franc suisse reste une valeur refuge."
)
NEW = "Le comité de rédaction se réunit chaque matin à sept heures."

import os
import shutil

from selenium.webdriver.chrome.service import Service

os.environ.setdefault("SE_AVOID_STATS", "true")
options = webdriver.ChromeOptions()
for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
    options.add_argument(arg)
# Debian's chromium and chromium-driver: no download.
browser = shutil.which("chromium") or shutil.which("chromium-browser")
if browser:
    options.binary_location = browser
driver_path = shutil.which("chromedriver")
service = Service(executable_path=driver_path) if driver_path else Service()
driver = webdriver.Chrome(options=options, service=service)
wait = WebDriverWait(driver, 20)
seen = {}


def pretranslate():
    driver.get(base)
    box = wait.until(ec.presence_of_element_located((By.ID, "text")))
    box.clear()
    box.send_keys(ARTICLE)
    driver.find_element(By.ID, "run").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#draft tbody tr")) >= 3)
    return driver.find_elements(By.CSS_SELECTOR, "#draft tbody tr")


def row_of(rows, source):
    return next(r for r in rows if source in r.find_element(By.CSS_SELECTOR, "td.source").text)


try:
    rows = pretranslate()
    seen["rows"] = len(rows)
    seen["first_match"] = rows[0].find_element(By.CSS_SELECTOR, "td.match").text
    row = row_of(rows, NEW)
    seen["before"] = row.find_element(By.CSS_SELECTOR, "td.match").text
    area = row.find_element(By.TAG_NAME, "textarea")
    area.clear()
    area.send_keys("The editorial board meets every morning at seven.")
    area.send_keys(Keys.CONTROL, Keys.ENTER)
    wait.until(lambda d: "confirmed" in row.get_attribute("class"))
    seen["confirmed"] = True
    # Ctrl-Enter moved on to the next segment.
    nxt = row_of(driver.find_elements(By.CSS_SELECTOR, "#draft tbody tr"), "franc suisse")
    seen["focus_moved"] = driver.switch_to.active_element == nxt.find_element(By.TAG_NAME, "textarea")
    seen["status"] = driver.find_element(By.ID, "status").text
    # Reload: the memory has learnt it, with its context.
    driver.refresh()
    rows = pretranslate()
    row = row_of(rows, NEW)
    seen["after"] = row.find_element(By.CSS_SELECTOR, "td.match").text
    seen["after_target"] = row.find_element(By.TAG_NAME, "textarea").get_attribute("value")
    driver.save_screenshot(shot)
finally:
    driver.quit()


def ink(path):
    """The share of pixels that are not near white, from the PNG itself."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    dark = 0
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, cur = line[0], bytearray(line[1:])
        for i in range(stride):
            a = cur[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                cur[i] = (cur[i] + a) & 255
            elif kind == 2:
                cur[i] = (cur[i] + b) & 255
            elif kind == 3:
                cur[i] = (cur[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                cur[i] = (cur[i] + pred) & 255
        for x in range(0, stride, bpp * 4):
            if min(cur[x], cur[x + 1], cur[x + 2]) < 200:
                dark += 1
        prev = cur
    return dark / (height * width / 4)


seen["ink"] = ink(shot)
print(json.dumps(seen, ensure_ascii=False))
