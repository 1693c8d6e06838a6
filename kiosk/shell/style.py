"""The shell's look: one calm stylesheet, colours safe for colour-blind candidates.

Blue and orange carry meaning (never red against green); every state also has a
word, so colour is never the only signal.
"""

BLUE = "#1f5fa8"
ORANGE = "#b35c00"
INK = "#1d232b"
MUTED = "#5b6673"
PAPER = "#f4f6f8"
CARD = "#ffffff"

STYLESHEET = f"""
QWidget {{ color: {INK}; font-size: 15px; }}
QMainWindow, QStackedWidget > QWidget {{ background: {PAPER}; }}
QFrame#card {{ background: {CARD}; border: 1px solid #d9dee4; border-radius: 12px; }}
QLabel#title {{ font-size: 30px; font-weight: 600; }}
QLabel#subtitle {{ font-size: 16px; color: {MUTED}; }}
QLabel#heading {{ font-size: 13px; font-weight: 600; color: {MUTED};
                  text-transform: uppercase; letter-spacing: 1px; }}
QLineEdit#detail {{ font-family: monospace; font-size: 13px; border: 1px solid #d9dee4;
                    border-radius: 6px; padding: 6px; background: {PAPER}; }}
QLabel#note {{ font-size: 13px; color: {MUTED}; }}
QLabel#health[state="ok"] {{ color: {BLUE}; }}
QLabel#health[state="problem"] {{ color: {ORANGE}; font-weight: 600; }}
QLabel#health[state="pending"] {{ color: {MUTED}; }}
QPushButton#primary {{ background: {BLUE}; color: white; border: 3px solid {BLUE};
                       border-radius: 8px;
                       padding: 0 24px; min-height: 48px;
                       font-size: 16px; font-weight: 600; }}
QPushButton#primary:disabled {{ background: #b8c3cf; border-color: #b8c3cf; color: #eef1f4; }}
QPushButton#primary:focus {{ border-color: {ORANGE}; }}
"""


# How much larger the games' and breaks' text is for a candidate who chose larger text
# (the shell's own text goes from 15 px to 21 px, see display_stylesheet).
LARGE_TEXT_SCALE = 1.3


def text_scale(large_text: bool) -> float:
    return LARGE_TEXT_SCALE if large_text else 1.0


def display_stylesheet(large_text: bool, high_contrast: bool) -> str:
    """Extra rules for the candidate's display choices (larger text, high contrast)."""
    rules = ""
    if large_text:
        # Layouts take sizes from these rules: screens that show the choice give each
        # text room to grow (tested at 800 x 600 in German, the longer language).
        rules += """
QWidget { font-size: 21px; }
QLabel#title { font-size: 40px; }
QLabel#subtitle { font-size: 22px; }
QLabel#note { font-size: 18px; }
QPushButton#primary { font-size: 21px; }
QCheckBox { spacing: 12px; }
QCheckBox::indicator { width: 24px; height: 24px; }
"""
    if high_contrast:
        rules += """
QWidget { color: #000000; }
QMainWindow, QStackedWidget > QWidget { background: #ffffff; }
QFrame#card { border: 2px solid #000000; }
QLabel#subtitle, QLabel#note, QLabel#heading { color: #000000; }
QLineEdit { border: 2px solid #000000; background: #ffffff; }
QPushButton#primary { background: #000000; border-color: #000000; color: #ffffff; }
QPushButton#primary:focus { border-color: #ff9d2e; }
"""
    return rules


STYLESHEET += f"""
QLabel#error {{ color: {ORANGE}; font-weight: 600; }}
QLabel#code {{ font-size: 26px; font-weight: 600; color: {BLUE}; padding: 8px; }}
QLineEdit {{ padding: 8px; border: 1px solid #c5ccd4; border-radius: 6px; background: white; }}
QLineEdit#codefield {{ font-size: 26px; letter-spacing: 4px; }}
QPushButton#secondary {{ padding: 8px 16px; border: 1px solid #c5ccd4; border-radius: 8px;
                         background: white; }}
QPushButton#secondary:focus {{ border: 2px solid {BLUE}; }}
QPushButton#secondary:disabled {{ color: #98a2ad; border-color: #dde2e7; background: {PAPER}; }}
QCheckBox {{ spacing: 8px; }}
QCheckBox::indicator {{ width: 18px; height: 18px; }}
"""
