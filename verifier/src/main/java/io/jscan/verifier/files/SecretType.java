package io.jscan.verifier.files;

/** Kinds of secret the scanner recognises; {@link #id()} is stable and appears in reports. */
public enum SecretType {
  PRIVATE_KEY("private-key", "private key"),
  AWS_ACCESS_KEY_ID("aws-access-key-id", "AWS access key id"),
  AWS_SECRET_ACCESS_KEY("aws-secret-access-key", "AWS secret access key"),
  GITHUB_TOKEN("github-token", "GitHub token"),
  GITLAB_TOKEN("gitlab-token", "GitLab personal access token"),
  SLACK_TOKEN("slack-token", "Slack token"),
  GOOGLE_API_KEY("google-api-key", "Google API key"),
  STRIPE_SECRET_KEY("stripe-secret-key", "Stripe secret key"),
  NPM_TOKEN("npm-token", "npm access token");

  private final String id;
  private final String title;

  SecretType(String id, String title) {
    this.id = id;
    this.title = title;
  }

  public String id() {
    return id;
  }

  public String title() {
    return title;
  }
}
