"""Contact volume and AHT forecasting per interval (issue 5): pure code, no I/O.

Call `forecast_series` with an interval history and get a `ForecastResult`: volume, prediction interval
and AHT per interval, the model picked by a rolling-origin backtest and its accuracy.
"""

from helpline.wfm.forecast.backtest import Accuracy, accuracy, backtest
from helpline.wfm.forecast.calendar import CalendarEvent, DayKind, day_kinds
from helpline.wfm.forecast.forecaster import ForecastResult, forecast_series
from helpline.wfm.forecast.grid import DayGrid, to_day_grid
from helpline.wfm.forecast.profile import WeeklyProfileModel
from helpline.wfm.forecast.selection import MIN_HISTORY_DAYS, ModelChoice, select_model

__all__ = [
    "MIN_HISTORY_DAYS",
    "Accuracy",
    "CalendarEvent",
    "DayGrid",
    "DayKind",
    "ForecastResult",
    "ModelChoice",
    "WeeklyProfileModel",
    "accuracy",
    "backtest",
    "day_kinds",
    "forecast_series",
    "select_model",
    "to_day_grid",
]
