import { graphql } from "../gql";

// Shared by the first page (inside the dashboard query) and every later page.
export const RecommendationFieldsFragment = graphql(`
  fragment RecommendationFields on Recommendation {
    score
    reasons {
      kind
      text
      evidenceType
      evidenceIds
    }
    breakdown {
      graph
      content
      popularity
      freshness
      context
      fatiguePenalty
      diversityPenalty
    }
    item {
      id
      type
      title
      excerpt
      imageUrl
      creator {
        id
        displayName
      }
      category {
        id
        name
      }
      tags {
        id
        name
      }
    }
  }
`);

export const MoreRecommendationsQuery = graphql(`
  query MoreRecommendations(
    $first: Int!
    $filters: RecommendationFilters
    $knobs: RecommendationKnobs
    $context: RecommendationContext
  ) {
    recommendations(first: $first, filters: $filters, knobs: $knobs, context: $context) {
      method
      requestId
      items {
        ...RecommendationFields
      }
    }
  }
`);

export const RecordFeedbackMutation = graphql(`
  mutation RecordFeedback($input: InteractionInput!) {
    recordInteraction(input: $input) {
      id
      kind
    }
  }
`);

export const MarkNotInterestedMutation = graphql(`
  mutation MarkNotInterested($tagId: ID, $creatorId: ID) {
    markNotInterested(tagId: $tagId, creatorId: $creatorId) {
      id
    }
  }
`);
