"""GOV.UK Notify: email and text messages for the members who are not in Slack or Teams."""
