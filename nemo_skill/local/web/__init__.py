"""Static files of the claim page (plain JS and CSS, no build step)."""
