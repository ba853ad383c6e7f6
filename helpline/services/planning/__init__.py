"""WFM use cases: forecasts, staffing plans, schedules, rostering, adherence, intraday, simulations."""
