public import CharterDomain

/// A five-field cron expression in its time zone is what production jobs run on.
extension CronSchedule: JobSchedule {}
