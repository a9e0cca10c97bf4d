"""Order review: an admin's decision on a large order, and the review requests' inbox."""
