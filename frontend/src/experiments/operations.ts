import { graphql } from "../gql";

export const ExperimentsQuery = graphql(`
  query Experiments {
    experiments(first: 50) {
      experimentId
      name
      description
      status
      surface
      createdAt
      startedAt
      stoppedAt
      shippedVariant
      variants {
        variantId
        name
        isControl
        trafficShare
        config
      }
    }
  }
`);

export const ExperimentResultsQuery = graphql(`
  query ExperimentResults($id: ID!) {
    experimentResults(experimentId: $id) {
      experimentId
      name
      status
      sampleRatio {
        chiSquare
        pValue
        mismatch
      }
      variants {
        name
        isControl
        trafficShare
        users
        totals {
          impressions
          clicks
          ctr {
            value
            low
            high
          }
          likeRate {
            value
            low
            high
          }
          hideRate {
            value
            low
            high
          }
        }
        versusControl {
          ctr {
            value
            low
            high
            excludesZero
          }
          likeRate {
            value
            low
            high
            excludesZero
          }
          hideRate {
            value
            low
            high
            excludesZero
          }
        }
        days {
          day
          metrics {
            impressions
            ctr {
              value
            }
          }
        }
      }
    }
  }
`);

export const BanditQuery = graphql(`
  query BanditShares {
    banditState(history: 100) {
      enabled
      updatedAt
      sources {
        source
        mean
        low
        high
        slotShare
        shown
        engaged
      }
      history {
        takenAt
        sources {
          source
          slotShare
        }
      }
    }
  }
`);

export const SimulationQuery = graphql(`
  query SimulationReport {
    simulationReport {
      ab {
        generatedAt
        seconds
        visits
        detected
        sampleRatioMismatch
        plan {
          users
          rounds
          seed
        }
        ctrDifference {
          value
          low
          high
        }
        variants {
          variant
          control
          impressions
          clicks
          ctr {
            value
            low
            high
          }
        }
      }
      aa {
        generatedAt
        seconds
        runs
        flagged
        readersPerRun
      }
      bandit {
        generatedAt
        seconds
        visits
        rounds
        bestFixedMix
        finalRegretVsUniform
        finalRegretVsBestFixed
        regretVsUniform {
          x
          y
        }
        regretVsBestFixed {
          x
          y
        }
        clicksPerVisit {
          name
          value
        }
        slotSharesByRound {
          source
          share
        }
        plan {
          users
          rounds
          seed
        }
      }
      fatigue {
        generatedAt
        seconds
        readers
        rounds
        withFatigue {
          ctr {
            value
          }
        }
        withoutFatigue {
          ctr {
            value
          }
        }
        afterFirstRoundWith {
          clicks
          impressions
          ctr {
            value
            low
            high
          }
        }
        afterFirstRoundWithout {
          clicks
          impressions
          ctr {
            value
            low
            high
          }
        }
      }
    }
  }
`);

export const CreateExperimentMutation = graphql(`
  mutation CreateExperiment($input: ExperimentInput!) {
    createExperiment(input: $input) {
      experimentId
      name
      status
    }
  }
`);

export const StartExperimentMutation = graphql(`
  mutation StartExperiment($id: ID!) {
    startExperiment(experimentId: $id) {
      experimentId
      status
      startedAt
    }
  }
`);

export const PauseExperimentMutation = graphql(`
  mutation PauseExperiment($id: ID!) {
    pauseExperiment(experimentId: $id) {
      experimentId
      status
    }
  }
`);

export const StopExperimentMutation = graphql(`
  mutation StopExperiment($id: ID!) {
    stopExperiment(experimentId: $id) {
      experimentId
      status
      stoppedAt
    }
  }
`);

export const ShipExperimentMutation = graphql(`
  mutation ShipExperiment($id: ID!, $variant: String!) {
    shipExperiment(experimentId: $id, variant: $variant) {
      experimentId
      status
      shippedVariant
    }
  }
`);
