"""Model 2 of the plan, "Về làng, xuống phố": outreach sessions and the questions citizens raise there."""
