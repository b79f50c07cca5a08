//! ebguard: stops Elastic Beanstalk deployments from breaking databases.
pub mod migrate;
