"""A small dashboard on the HDMI screen: a title and a clock in the TrueType font at two sizes,
a bar graph of five readings and a line plot of the last readings, redrawn once a second.
Press Ctrl-C to stop; the console gets the screen back. Run it with
`exec(open('/examples/dashboard.py').read())`, or copy it to your app as main.py.
"""

import math
import time

import display

WIDTH, HEIGHT = display.width, display.height
BACKGROUND = display.rgb(16, 24, 48)
PANEL = display.rgb(32, 44, 80)
TEXT = display.WHITE
ACCENT = display.rgb(255, 200, 40)
BAR_COLOURS = [display.rgb(80, 200, 120), display.rgb(80, 160, 240), display.rgb(240, 120, 80),
               display.rgb(200, 100, 220), display.rgb(240, 220, 90)]
HISTORY = 60


def readings(step):
    """Five made-up sensor values between 0 and 1 (replace with real ones: machine.ADC, I2C)."""
    return [0.5 + 0.45 * math.sin(step / (4 + index) + index) for index in range(5)]


def draw_bars(fb, values, x, y, width, height):
    fb.fill_rect(x, y, width, height, PANEL)
    slot = width // len(values)
    for index, value in enumerate(values):
        bar = int(value * (height - 30))
        left = x + index * slot + slot // 5
        fb.fill_rect(left, y + height - 10 - bar, slot * 3 // 5, bar, BAR_COLOURS[index])
        display.text(f"{value * 100:3.0f}", left, y + 4, TEXT, size=14, background=PANEL)


def draw_plot(fb, history, x, y, width, height):
    fb.fill_rect(x, y, width, height, PANEL)
    fb.rect(x, y, width, height, TEXT)
    for fraction in (0.25, 0.5, 0.75):
        fb.hline(x + 1, y + int(height * fraction), width - 2, BACKGROUND)
    points = [(x + 2 + i * (width - 4) // (HISTORY - 1), y + height - 2 - int(v * (height - 4)))
              for i, v in enumerate(history)]
    for (x1, y1), (x2, y2) in zip(points, points[1:]):
        fb.line(x1, y1, x2, y2, ACCENT)
    if points:
        fb.ellipse(points[-1][0], points[-1][1], 3, 3, ACCENT, True)


def main():
    if WIDTH == 0:
        print("no screen: the dashboard needs the HDMI framebuffer")
        return
    fb = display.framebuffer()
    display.console(False)
    history = []
    try:
        fb.fill(BACKGROUND)
        display.text("PiPyOS dashboard", 16, 10, TEXT, size=32)
        step = 0
        while True:
            values = readings(step)
            history = (history + [values[0]])[-HISTORY:]
            seconds = time.ticks_ms() // 1000
            display.text(f"up {seconds // 60:02d}:{seconds % 60:02d}", WIDTH - 130, 20, ACCENT,
                         size=18, background=BACKGROUND)
            half = (WIDTH - 48) // 2
            draw_bars(fb, values, 16, 60, half, HEIGHT - 80)
            draw_plot(fb, history, 32 + half, 60, half, HEIGHT - 80)
            step += 1
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        display.console(True)


main()
