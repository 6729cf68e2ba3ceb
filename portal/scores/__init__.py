"""考核 (assessment): scoring schemes versioned by month, manual deductions and bonuses, scores and rankings."""
